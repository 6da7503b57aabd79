import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.graphdb.QueryExecutionException;
import org.neo4j.io.ByteUnit;

/**
 * A Neo4j Community DBMS with only the Bolt connector, for tests and CI on machines without Docker.
 *
 * Usage: java -cp 'target/classes:target/lib/*' KgNeo4jServer HOME PORT [PAGECACHE_MB]
 * The password of user `neo4j` comes from the environment variable KG_NEO4J_PASSWORD (never argv, which
 * other users can read with ps); without it auth is off. Prints "KG-NEO4J READY bolt://127.0.0.1:PORT"
 * once queries run, and shuts the DBMS down cleanly on SIGTERM/SIGINT so the store can be reopened.
 */
public final class KgNeo4jServer {
    /**
     * A fresh DBMS has user neo4j with the expired password "neo4j"; set ours without expiry. Embedded
     * calls run with full rights. On a restart over an existing home the password is usually already
     * ours, which Neo4j refuses to "change" to itself: that case is fine.
     */
    private static void setPassword(DatabaseManagementService dbms, String password) {
        try {
            dbms.database("system").executeTransactionally(
                    "ALTER USER neo4j SET PASSWORD $pw CHANGE NOT REQUIRED", Map.of("pw", password));
        } catch (QueryExecutionException e) {
            if (!String.valueOf(e.getMessage()).contains("cannot be the same")) {
                throw e;
            }
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: KgNeo4jServer HOME PORT [PAGECACHE_MB]");
            System.exit(2);
        }
        Path home = Path.of(args[0]).toAbsolutePath();
        int port = Integer.parseInt(args[1]);
        long pagecacheMb = args.length > 2 ? Long.parseLong(args[2]) : 256;
        String password = System.getenv("KG_NEO4J_PASSWORD");
        boolean auth = password != null && !password.isEmpty();

        DatabaseManagementService dbms = new DatabaseManagementServiceBuilder(home)
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, new SocketAddress("127.0.0.1", port))
                .setConfig(GraphDatabaseSettings.auth_enabled, auth)
                // Tests send wrong passwords on purpose; the default lockout (3 attempts) would then
                // reject the right password for a while and fail unrelated tests.
                .setConfig(GraphDatabaseSettings.auth_max_failed_attempts, 0)
                // The default page cache takes about half the machine's memory.
                .setConfig(GraphDatabaseSettings.pagecache_memory, ByteUnit.mebiBytes(pagecacheMb))
                .build();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            dbms.shutdown();
            stopped.countDown();
        }));

        try {
            if (auth) {
                setPassword(dbms, password);
            }
            GraphDatabaseService db = dbms.database(GraphDatabaseSettings.DEFAULT_DATABASE_NAME);
            db.executeTransactionally("RETURN 1");
        } catch (RuntimeException e) {
            // Neo4j's own threads would keep the JVM alive with no server: report and exit instead.
            System.err.println("KG-NEO4J FAILED " + e);
            System.exit(1);
        }
        System.out.println("KG-NEO4J READY bolt://127.0.0.1:" + port);
        System.out.flush();
        stopped.await();
    }
}
