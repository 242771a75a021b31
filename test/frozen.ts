import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';

/**
 * Holding a process where it is (SIGSTOP) and knowing what it had sent before: a test's way to
 * stop a worker instance at a known checkpoint without a hook in the service.
 */

/** Whether `pid` is stopped by a signal (state `T` in /proc): kill() only queues SIGSTOP. */
export function isStopped(pid: number): boolean {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat[stat.lastIndexOf(')') + 2] === 'T';
}

interface TcpSocket {
  localPort: number;
  remotePort: number;
  /** Bytes written and not yet acknowledged by the other end. */
  txQueue: number;
  /** Bytes received and not yet read by the owner. */
  rxQueue: number;
  inode: string;
}

function tcpSockets(): TcpSocket[] {
  return ['/proc/net/tcp', '/proc/net/tcp6']
    .filter((file) => existsSync(file))
    .flatMap((file) => readFileSync(file, 'utf8').trim().split('\n').slice(1))
    .map((line) => {
      const f = line.trim().split(/\s+/);
      const port = (address: string) => parseInt(address.slice(address.lastIndexOf(':') + 1), 16);
      const [tx, rx] = f[4]!.split(':').map((hex) => parseInt(hex, 16));
      return { localPort: port(f[1]!), remotePort: port(f[2]!), txQueue: tx!, rxQueue: rx!, inode: f[9]! };
    });
}

function socketInodes(pid: number): Set<string> {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const inode = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1];
      if (inode) inodes.add(inode);
    } catch {
      // Closed while we looked.
    }
  }
  return inodes;
}

/**
 * The connections of `pid` to the server on loopback `port`, and the bytes on them the server
 * has not read yet (in either end's kernel queue). Redis runs each command as soon as it has
 * read it, so once a stopped process has none unread, everything it sent is in Redis and
 * nothing more will come from it.
 */
export function unreadByServer(pid: number, port: number): { connections: number; unread: number } {
  const own = socketInodes(pid);
  const sockets = tcpSockets();
  const mine = sockets.filter((s) => own.has(s.inode) && s.remotePort === port);
  const ports = new Set(mine.map((s) => s.localPort));
  const serverEnds = sockets.filter((s) => s.localPort === port && ports.has(s.remotePort));
  const unread = [...mine.map((s) => s.txQueue), ...serverEnds.map((s) => s.rxQueue)].reduce((a, b) => a + b, 0);
  return { connections: mine.length, unread };
}
