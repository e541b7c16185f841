// Setting the tenant up and looking at it from outside Graph (tests, the demo, `sim graph ...`), under the state
// file's lock like any cmdlet.
import { StateFileError } from '../exchange/model';
import { loadOrganization, withOrganization } from '../exchange/organisation';
import { Application, Entra, GraphFault } from './model';
import { addServiceClient, ServiceClientRequest } from './tenant';

function tenantOf(entra: Entra | undefined, file: string): Entra {
  if (!entra)
    throw new StateFileError(
      `state file ${file} has no simulated Entra tenant (scenario dedicated-hybrid-app has one)`,
    );
  return entra;
}

/**
 * Registers a confidential client (the rotation worker's app registration) with Graph permissions; `ownsHybridApp`
 * makes its service principal an owner of the hybrid application (what Application.ReadWrite.OwnedBy needs).
 */
export function registerGraphClient(
  file: string,
  request: Omit<ServiceClientRequest, 'owns'> & { ownsHybridApp?: boolean },
): Promise<{ clientId: string; tenantId: string; secret?: string }> {
  return withOrganization(file, (org) => {
    const entra = tenantOf(org.entra, file);
    const owns = request.ownsHybridApp ? entra.applications.map((a) => a.id) : [];
    return addServiceClient(entra, { ...request, owns });
  });
}

export function injectGraphFault(file: string, fault: GraphFault): Promise<void> {
  return withOrganization(file, (org) => {
    tenantOf(org.entra, file).faults.push(fault);
  });
}

export function clearGraphFaults(file: string): Promise<number> {
  return withOrganization(file, (org) => {
    const entra = tenantOf(org.entra, file);
    const n = entra.faults.length;
    entra.faults = [];
    return n;
  });
}

/** The hybrid application as Entra holds it, with when each key was added (simulated time), and AuthConfig. */
export function readHybridApplication(file: string): { application: Application | null; now: number } {
  const { org, now } = loadOrganization(file);
  return { application: org.entra?.applications[0] ?? null, now };
}
