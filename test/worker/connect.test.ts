// What the worker says when Temporal does not answer: the reason inside the SDK's transport error, in a few words.
import { connectFailureReason } from '../../worker/connect';

test.each([
  [
    'tonic::transport::Error(Transport, ConnectError(ConnectError("tcp connect error", 127.0.0.1:1, Os { code: 111, kind: ConnectionRefused, message: "Connection refused" })))',
    'Connection refused',
  ],
  [
    'tonic::transport::Error(Transport, ConnectError(ConnectError("dns error", Custom { kind: Uncategorized, error: "failed to lookup address information: Name or service not known" })))',
    'failed to lookup address information: Name or service not known',
  ],
  ['tonic::transport::Error(Transport, ConnectError(ConnectError("tcp connect error")))', 'tcp connect error'],
  ['Failed to connect before the deadline\nmore', 'Failed to connect before the deadline'],
])('a failure to reach Temporal in a few words: %s', (raw, reason) => {
  expect(connectFailureReason(new Error(raw))).toBe(reason);
});
