// Starts AWS's DynamoDB Local listening on 127.0.0.1 only, on a port the OS picks.
// DynamoDB Local's own command line binds every interface and needs a fixed port; this
// launcher reuses its server setup and changes only the listening address. It prints
// "dynamo-model-local listening on <port>" once the server accepts requests.
import java.lang.reflect.Field;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import software.amazon.dynamodb.services.local.main.ServerRunner;
import software.amazon.dynamodb.services.local.server.DynamoDBProxyServer;

public class LoopbackLauncher {
    public static void main(String[] args) throws Exception {
        DynamoDBProxyServer proxy = ServerRunner.createServerFromCommandLineArgs(args);
        Field field = DynamoDBProxyServer.class.getDeclaredField("server");
        field.setAccessible(true);
        Server server = (Server) field.get(proxy);
        for (Connector connector : server.getConnectors()) {
            ((ServerConnector) connector).setHost("127.0.0.1");
            ((ServerConnector) connector).setPort(0);
        }
        proxy.start();
        System.out.println("dynamo-model-local listening on " + ((ServerConnector) server.getConnectors()[0]).getLocalPort());
        System.out.flush();
        proxy.join();
    }
}
