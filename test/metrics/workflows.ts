// A workflow that records a finished rotation's metrics as rotateAuthCertificate does at its end.
import type { RotationReport } from '../../common/rotation';
import { recordRotationMetrics } from '../../workflows/metrics';

export async function recordReport(report: RotationReport): Promise<void> {
  recordRotationMetrics(report);
}
