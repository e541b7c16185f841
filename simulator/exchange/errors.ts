// PowerShell error records as Exchange and Windows raise them, so the service's error classification is exercised
// against the categories, reasons and ids it will meet in production.
import { randomUUID } from 'node:crypto';
import { PSError } from '../shell/types';
import { Server } from './model';

const TASK_NAMESPACE = 'Microsoft.Exchange.Management.SystemConfigurationTasks';

/** "Get-ExchangeCertificate" -> "GetExchangeCertificate". */
function taskClass(cmdlet: string): string {
  return `${TASK_NAMESPACE}.${cmdlet.replace(/-/g, '')}`;
}

/** Exchange's FullyQualifiedErrorId: server, request id and failure category ahead of the task class. */
export function exchangeErrorId(server: string, reason: string, cmdlet: string): string {
  const stamp = new Date().toISOString().replace('T', ' ').replace('Z', '');
  const code = randomUUID().slice(0, 8).toUpperCase();
  return `[Server=${server},RequestId=${randomUUID()},TimeStamp=${stamp}] [FailureCategory=Cmdlet-${reason}] ${code},${taskClass(cmdlet)}`;
}

export function exchangeError(
  cmdlet: string,
  server: string,
  message: string,
  o: { category: string; reason: string; exceptionType: string; targetObject?: string },
): PSError {
  return new PSError(message, {
    category: o.category,
    reason: o.reason,
    exceptionType: o.exceptionType,
    errorId: exchangeErrorId(server, o.reason, cmdlet),
    targetObject: o.targetObject,
  });
}

export function certificateNotFound(cmdlet: string, server: Server, thumbprint: string): PSError {
  return exchangeError(
    cmdlet,
    server.name,
    `A special Rpc error occurs on server ${server.name}: The certificate with thumbprint ${thumbprint} was not found.`,
    {
      category: 'NotSpecified',
      reason: 'InvalidOperationException',
      exceptionType: 'System.InvalidOperationException',
      targetObject: thumbprint,
    },
  );
}

/** The server does not answer: an RPC failure that is not "not found". */
export function rpcUnavailable(cmdlet: string, server: Server): PSError {
  return exchangeError(
    cmdlet,
    server.name,
    `An error occurred while connecting to server ${server.fqdn}: The RPC server is unavailable. (Exception from HRESULT: 0x800706BA)`,
    {
      category: 'NotSpecified',
      reason: 'RpcException',
      exceptionType: 'Microsoft.Exchange.Rpc.RpcException',
      targetObject: server.fqdn,
    },
  );
}

export function objectNotFound(cmdlet: string, connected: string, identity: string, dc: string): PSError {
  return exchangeError(
    cmdlet,
    connected,
    `The operation couldn't be performed because object '${identity}' couldn't be found on '${dc}'.`,
    {
      category: 'NotSpecified',
      reason: 'ManagementObjectNotFoundException',
      exceptionType: 'Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException',
      targetObject: identity,
    },
  );
}

export function invalidArgument(cmdlet: string, server: string, message: string, targetObject?: string): PSError {
  return exchangeError(cmdlet, server, message, {
    category: 'InvalidArgument',
    reason: 'ArgumentException',
    exceptionType: 'System.ArgumentException',
    targetObject,
  });
}

export function invalidOperation(cmdlet: string, server: string, message: string, targetObject?: string): PSError {
  return exchangeError(cmdlet, server, message, {
    category: 'InvalidOperation',
    reason: 'InvalidOperationException',
    exceptionType: 'System.InvalidOperationException',
    targetObject,
  });
}

/** Invoke-Command -ComputerName against a server that does not answer WinRM. */
export function remotingFailed(computerName: string, known: boolean): PSError {
  const message = known
    ? `Connecting to remote server ${computerName} failed with the following error message : WinRM cannot complete the operation. Verify that the specified computer name is valid, that the computer is accessible over the network, and that a firewall exception for the WinRM service is enabled and allows access from this computer. By default, the WinRM firewall exception for public profiles limits access to remote computers within the same local subnet. For more information, see the about_Remote_Troubleshooting Help topic.`
    : `Connecting to remote server ${computerName} failed with the following error message : WinRM cannot process the request. The following error occurred while using Kerberos authentication: Cannot find the computer ${computerName}. Verify that the computer exists on the network and that the name provided is spelled correctly. For more information, see the about_Remote_Troubleshooting Help topic.`;
  return new PSError(message, {
    category: 'OpenError',
    reason: 'PSRemotingTransportException',
    exceptionType: 'System.Management.Automation.Remoting.PSRemotingTransportException',
    errorId: known ? 'WinRMOperationTimeout,PSSessionStateBroken' : 'NetworkPathNotFound,PSSessionStateBroken',
    targetObject: computerName,
  });
}
