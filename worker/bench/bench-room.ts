import { Server, type Connection } from 'partyserver';

/** A bare partyserver room: broadcasts each POST body to every socket. The fan-out benchmark's baseline. */
export class BenchRoom extends Server {
  static override options = { hibernate: true };

  override onConnect(connection: Connection): void {
    connection.send(JSON.stringify({ type: 'hello' }));
  }

  /** Nothing: the benchmark's bare object call (`/api/bench/bare/object-call`), an RPC's cost alone. */
  ping(): null {
    return null;
  }

  override async onRequest(request: Request): Promise<Response> {
    if (request.method !== 'POST') return new Response('POST a message to broadcast', { status: 405 });
    this.broadcast(await request.text());
    return new Response(null, { status: 204 });
  }
}
