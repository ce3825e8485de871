import { connect } from 'node:net';
import type { Socket } from 'node:net';

export interface MailMessage {
  readonly from: string;
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  /** Lets the receiving side drop a repeated delivery of the same notification. */
  readonly messageId: string;
}

/**
 * A small SMTP client (RFC 5321): EHLO, optional AUTH PLAIN from the URL's user and password,
 * one message per connection. Plain connections only: point SMTP_URL at a local relay when
 * the provider needs TLS.
 */
export async function sendMail(smtpUrl: string, message: MailMessage, timeoutMs: number): Promise<void> {
  const url = new URL(smtpUrl);
  const socket = connect({ host: url.hostname, port: Number(url.port || 25) });
  socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`SMTP server did not answer within ${timeoutMs} ms`)));
  const replies = replyReader(socket);
  try {
    await replies.expect(220);
    await command(socket, replies, `EHLO ${hostname()}`, 250);
    if (url.username !== '') {
      const credentials = Buffer.from(`\u0000${decodeURIComponent(url.username)}\u0000${decodeURIComponent(url.password)}`).toString('base64');
      await command(socket, replies, `AUTH PLAIN ${credentials}`, 235);
    }
    await command(socket, replies, `MAIL FROM:<${message.from}>`, 250);
    await command(socket, replies, `RCPT TO:<${message.to}>`, 250);
    await command(socket, replies, 'DATA', 354);
    await command(socket, replies, `${render(message)}\r\n.`, 250);
    await command(socket, replies, 'QUIT', 221).catch(() => undefined);
  } finally {
    socket.destroy();
  }
}

function hostname(): string {
  return 'iwf.localhost';
}

function render(message: MailMessage): string {
  const headers = [
    `From: <${message.from}>`,
    `To: <${message.to}>`,
    `Subject: ${encodeHeader(message.subject)}`,
    `Message-ID: <${message.messageId}>`,
    `Date: ${new Date().toUTCString()}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
  ];
  // Dot-stuffing: a line starting with "." would otherwise end the message early.
  const body = message.text.replace(/\r?\n/g, '\r\n').replace(/^\./gm, '..');
  return `${headers.join('\r\n')}\r\n\r\n${body}`;
}

const encodeHeader = (text: string): string =>
  /^[\x20-\x7e]*$/.test(text) ? text : `=?UTF-8?B?${Buffer.from(text).toString('base64')}?=`;

async function command(socket: Socket, replies: ReplyReader, line: string, expected: number): Promise<void> {
  socket.write(`${line}\r\n`);
  await replies.expect(expected);
}

interface ReplyReader {
  expect(code: number): Promise<void>;
}

/** Reads complete (possibly multi-line) replies and checks each one's code. */
function replyReader(socket: Socket): ReplyReader {
  let buffer = '';
  let waiting: { resolve: (code: number, text: string) => void; reject: (error: Error) => void } | undefined;
  let failure: Error | undefined;
  const queue: { code: number; text: string }[] = [];
  const deliver = (): void => {
    const next = queue.shift();
    if (next !== undefined && waiting) {
      const current = waiting;
      waiting = undefined;
      current.resolve(next.code, next.text);
    } else if (next !== undefined) queue.unshift(next);
  };
  socket.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    for (let end = buffer.indexOf('\r\n'); end >= 0; end = buffer.indexOf('\r\n')) {
      const line = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      if (/^\d{3} /.test(line) || /^\d{3}$/.test(line)) queue.push({ code: Number(line.slice(0, 3)), text: line });
    }
    deliver();
  });
  const fail = (error: Error): void => {
    failure = error;
    waiting?.reject(error);
    waiting = undefined;
  };
  socket.on('error', fail);
  socket.on('close', () => fail(new Error('SMTP connection closed')));
  return {
    expect(code) {
      return new Promise<void>((resolve, reject) => {
        if (failure && queue.length === 0) return reject(failure);
        waiting = {
          resolve: (got, text) => (got === code ? resolve() : reject(new Error(`SMTP answered "${text}" where ${code} was expected`))),
          reject,
        };
        deliver();
      });
    },
  };
}
