using System.Globalization;
using RabbitMQ.Client;

namespace Tasks.MassTransit.RabbitMq;

/// <summary>Where the RabbitMQ server is, from <see cref="MassTransitTaskBackendOptions"/>; shared by MassTransit's bus and the topology connection.</summary>
internal sealed record RabbitMqConnectionSettings(string Host, int Port, string VirtualHost, string Username, string Password, bool UseTls)
{
    /// <summary>Reads the options; throws <see cref="TaskConfigurationException"/> (without echoing secrets) when they are unusable.</summary>
    public static RabbitMqConnectionSettings From(MassTransitTaskBackendOptions options, string alias)
    {
        if (!string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            if (!Uri.TryCreate(options.ConnectionString, UriKind.Absolute, out var uri) || uri.Scheme is not ("amqp" or "amqps"))
            {
                throw new TaskConfigurationException($"Backend '{alias}': ConnectionString is not an AMQP URI (amqp://user:password@host:port/vhost).");
            }

            // RabbitMQ.Client implements the AMQP URI rules (escaping, default vhost "/"), so it does the parsing.
            var factory = new ConnectionFactory { Uri = uri };
            var tls = uri.Scheme == "amqps";
            return new RabbitMqConnectionSettings(factory.HostName, factory.Port > 0 ? factory.Port : tls ? 5671 : 5672, factory.VirtualHost, factory.UserName, factory.Password, tls);
        }

        if (string.IsNullOrWhiteSpace(options.Host))
        {
            throw new TaskConfigurationException($"Backend '{alias}' (MassTransit over RabbitMQ) needs ConnectionString (amqp://user:password@host:5672/) or Host.");
        }

        var host = options.Host.Trim();
        var port = 5672;
        var colon = host.LastIndexOf(':');
        if (colon > 0 && !host.EndsWith(']'))
        {
            if (!int.TryParse(host[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535)
            {
                throw new TaskConfigurationException($"Backend '{alias}': Host '{host}' has an invalid port.");
            }

            host = host[..colon];
        }

        return new RabbitMqConnectionSettings(host, port, string.IsNullOrEmpty(options.VirtualHost) ? "/" : options.VirtualHost, options.Username ?? "guest", options.Password ?? "guest", false);
    }

    /// <summary>A RabbitMQ.Client factory for the topology connection (no automatic recovery: a failed connection is opened anew on next use).</summary>
    public ConnectionFactory CreateFactory(TimeSpan connectTimeout) => new()
    {
        HostName = Host,
        Port = Port,
        VirtualHost = VirtualHost,
        UserName = Username,
        Password = Password,
        Ssl = UseTls ? new SslOption { Enabled = true, ServerName = Host } : new SslOption(),
        RequestedConnectionTimeout = connectTimeout,
        AutomaticRecoveryEnabled = false,
        TopologyRecoveryEnabled = false,
    };

    /// <summary>Where it is, for messages (no credentials).</summary>
    public override string ToString() => $"{Host}:{Port}{(VirtualHost == "/" ? "/" : "/" + VirtualHost)}";
}
