/** What a worker tells the primary (over the cluster's IPC channel). */
export interface ListeningMessage {
  type: 'envid-listening';
  address: string;
}

export function isListeningMessage(message: unknown): message is ListeningMessage {
  return (
    typeof message === 'object' &&
    message !== null &&
    (message as { type?: unknown }).type === 'envid-listening' &&
    typeof (message as { address?: unknown }).address === 'string'
  );
}
