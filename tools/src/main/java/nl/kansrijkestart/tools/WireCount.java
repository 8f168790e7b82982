package nl.kansrijkestart.tools;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A PostgreSQL wire-protocol relay that counts what clients send: statements executed (an
 * Execute message, or a simple Query) and round trips (a Sync, which ends an
 * extended-protocol pipeline and waits for the server, or a simple Query). A JDBC batch
 * is many Executes and one Sync. The relay declines TLS so that it can read the messages;
 * the server's answers are passed through unread. Counts are printed every
 * {@code --every} seconds and on demand by {@code counts()}.
 *
 * <pre>
 * wire-count --listen 6432 --target 127.0.0.1:5432 [--every 10]
 * </pre>
 */
final class WireCount {

	private static final int SSL_REQUEST = 80877103;

	private static final int GSSENC_REQUEST = 80877104;

	private final AtomicLong executes = new AtomicLong();

	private final AtomicLong queries = new AtomicLong();

	private final AtomicLong syncs = new AtomicLong();

	private final AtomicLong connections = new AtomicLong();

	static void run(Map<String, String> options) throws IOException, InterruptedException {
		int listen = Integer.parseInt(options.getOrDefault("listen", "6432"));
		String[] target = options.getOrDefault("target", "127.0.0.1:5432").split(":");
		long every = Long.parseLong(options.getOrDefault("every", "10"));
		WireCount counter = new WireCount();
		Thread server = new Thread(
				() -> counter.serve(listen, new InetSocketAddress(target[0], Integer.parseInt(target[1]))),
				"wire-count");
		server.setDaemon(true);
		server.start();
		System.out.printf("Relaying 127.0.0.1:%d to %s:%s; columns: seconds, connections, statements, round trips%n",
				listen, target[0], target[1]);
		long start = System.nanoTime();
		while (true) {
			Thread.sleep(every * 1000);
			System.out.printf("%.0f\t%s%n", (System.nanoTime() - start) / 1e9, counter.counts());
		}
	}

	/** Connections accepted, statements executed, round trips: tab-separated. */
	String counts() {
		return connections.get() + "\t" + (executes.get() + queries.get()) + "\t" + (syncs.get() + queries.get());
	}

	private void serve(int port, InetSocketAddress target) {
		try (ServerSocket listener = new ServerSocket(port, 128, java.net.InetAddress.getLoopbackAddress())) {
			while (true) {
				Socket client = listener.accept();
				connections.incrementAndGet();
				Thread t = new Thread(() -> relay(client, target), "wire-count-" + connections.get());
				t.setDaemon(true);
				t.start();
			}
		}
		catch (IOException e) {
			System.err.println("wire-count stopped: " + e);
		}
	}

	private void relay(Socket client, InetSocketAddress target) {
		try (client; Socket server = new Socket()) {
			server.connect(target);
			client.setTcpNoDelay(true);
			server.setTcpNoDelay(true);
			Thread back = new Thread(() -> copy(server, client), "wire-count-back");
			back.setDaemon(true);
			DataInputStream in = new DataInputStream(new BufferedInputStream(client.getInputStream(), 65536));
			OutputStream up = new BufferedOutputStream(server.getOutputStream(), 65536);
			// Start-up phase: messages without a type byte; TLS and GSS encryption
			// requests are declined here.
			while (true) {
				int length = in.readInt();
				byte[] body = in.readNBytes(length - 4);
				int code = length >= 8 ? ((body[0] & 0xff) << 24) | ((body[1] & 0xff) << 16) | ((body[2] & 0xff) << 8)
						| (body[3] & 0xff) : 0;
				if (code == SSL_REQUEST || code == GSSENC_REQUEST) {
					client.getOutputStream().write('N');
					client.getOutputStream().flush();
					continue;
				}
				writeInt(up, length);
				up.write(body);
				up.flush();
				break;
			}
			back.start();
			while (true) {
				int type = in.read();
				if (type < 0) {
					return;
				}
				int length = in.readInt();
				byte[] body = in.readNBytes(length - 4);
				switch (type) {
					case 'E' -> executes.incrementAndGet();
					case 'Q' -> queries.incrementAndGet();
					case 'S' -> syncs.incrementAndGet();
					default -> {
					}
				}
				up.write(type);
				writeInt(up, length);
				up.write(body);
				// what the client waits on after it: Sync, Query, Flush, Terminate, a
				// password, the end of a COPY
				if (type == 'S' || type == 'Q' || type == 'H' || type == 'X' || type == 'p' || type == 'c'
						|| type == 'f') {
					up.flush();
				}
			}
		}
		catch (EOFException closed) {
			// the client hung up
		}
		catch (IOException e) {
			// either side went away: both sockets are closed on the way out
		}
	}

	private static void copy(Socket from, Socket to) {
		try {
			InputStream in = from.getInputStream();
			OutputStream out = to.getOutputStream();
			byte[] buffer = new byte[65536];
			int n;
			while ((n = in.read(buffer)) >= 0) {
				out.write(buffer, 0, n);
				out.flush();
			}
		}
		catch (IOException e) {
			// closed
		}
		finally {
			try {
				to.close();
			}
			catch (IOException ignored) {
				// already closed
			}
		}
	}

	private static void writeInt(OutputStream out, int value) throws IOException {
		out.write(value >>> 24);
		out.write(value >>> 16);
		out.write(value >>> 8);
		out.write(value);
	}

}
