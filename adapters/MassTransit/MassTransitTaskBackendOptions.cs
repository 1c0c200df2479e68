namespace Tasks.MassTransit;

/// <summary>
/// Settings of a <see cref="MassTransitTaskBackend"/>, set in code (<c>tasks.AddMassTransitBackend("alias", o =&gt; ...)</c>) or bound from
/// the configuration section <c>Tasks:Backends:&lt;alias&gt;</c> (with <c>Type</c> = <c>MassTransit</c>).
/// </summary>
public sealed class MassTransitTaskBackendOptions
{
    /// <summary>The transport (default <see cref="MassTransitTransport.RabbitMq"/>).</summary>
    public MassTransitTransport Transport { get; set; } = MassTransitTransport.RabbitMq;

    /// <summary>
    /// The RabbitMQ server as an AMQP URI, e.g. <c>amqp://user:password@host:5672/vhost</c> (<c>amqps://</c> for TLS).
    /// Takes precedence over <see cref="Host"/>, <see cref="Username"/>, <see cref="Password"/> and <see cref="VirtualHost"/>. Never logged.
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>The RabbitMQ host name, optionally with <c>:port</c> (default port 5672), used when <see cref="ConnectionString"/> is not set.</summary>
    public string? Host { get; set; }

    /// <summary>RabbitMQ user name with <see cref="Host"/> (default <c>guest</c>).</summary>
    public string? Username { get; set; }

    /// <summary>RabbitMQ password with <see cref="Host"/> (default <c>guest</c>). Never logged.</summary>
    public string? Password { get; set; }

    /// <summary>RabbitMQ virtual host with <see cref="Host"/> (default <c>/</c>).</summary>
    public string? VirtualHost { get; set; }

    /// <summary>
    /// Prefix of every RabbitMQ entity this backend declares: task queue <c>q</c> is the MassTransit endpoint
    /// <c>&lt;prefix&gt;-q</c>, the delay topology is <c>&lt;prefix&gt;.delay.*</c>. 1 to 50 ASCII letters, digits, '-', '_' or '.'.
    /// Backends that must not see each other's tasks use different prefixes.
    /// </summary>
    public string QueuePrefix { get; set; } = "tasks";

    /// <summary>
    /// The result store: <see cref="MassTransitResultStore.PostgreSql"/> (the default with RabbitMQ, required there unless
    /// <see cref="ResultStore"/> is given) or <see cref="MassTransitResultStore.InMemory"/> (the default with the in-memory transport).
    /// </summary>
    public MassTransitResultStore? Results { get; set; }

    /// <summary>Npgsql connection string of the PostgreSQL result store. Never logged.</summary>
    public string? ResultsConnectionString { get; set; }

    /// <summary>Schema of the PostgreSQL results table (default <c>tasks</c>).</summary>
    public string ResultsSchema { get; set; } = "tasks";

    /// <summary>Name of the PostgreSQL results table (default <c>task_results</c>).</summary>
    public string ResultsTable { get; set; } = "task_results";

    /// <summary>How long finished results are kept in PostgreSQL (default 7 days).</summary>
    public TimeSpan ResultsRetention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>A result store supplied in code; wins over <see cref="Results"/>. The backend does not dispose it.</summary>
    public ITaskResultStore? ResultStore { get; set; }

    /// <summary>
    /// An in-memory transport shared by several backends of this process (e.g. a client host and a worker host in a test);
    /// <see langword="null"/> gives the backend its own. The backend does not dispose a shared one.
    /// </summary>
    public MassTransitInMemoryTransport? InMemoryTransport { get; set; }

    /// <summary>
    /// RabbitMQ heartbeat interval; <see langword="null"/> keeps MassTransit's default (the server's, 60 s on a stock broker).
    /// A worker that vanishes without closing its connection (network cut, frozen machine) has its tasks handed to others
    /// after about two missed heartbeats; a killed process closes its connection, so that recovery is immediate.
    /// </summary>
    public TimeSpan? Heartbeat { get; set; }

    /// <summary>How long to wait for RabbitMQ when connecting before an enqueue fails with <see cref="TaskBackendUnavailableException"/> (default 10 s).</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long one enqueue (send and publisher confirm) may take before it fails with <see cref="TaskBackendUnavailableException"/> (default 30 s).</summary>
    public TimeSpan SendTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>A copy, so the backend is not affected by later changes to this instance.</summary>
    internal MassTransitTaskBackendOptions Clone() => (MassTransitTaskBackendOptions)MemberwiseClone();
}
