using StackExchange.Redis;

namespace Tasks.Redis;

/// <summary>
/// Settings of a <see cref="RedisTaskBackend"/>: where Redis is, the key prefix, and the timings of crash recovery and
/// result retention. Bound from <c>Tasks:Backends:&lt;alias&gt;</c> when the backend is configured by type name.
/// </summary>
public sealed class RedisTaskBackendOptions
{
    /// <summary>The default <see cref="Prefix"/>.</summary>
    public const string DefaultPrefix = "tasks";

    /// <summary>
    /// A StackExchange.Redis configuration string, e.g. <c>redis.example.com:6380,ssl=true,user=app,password=...</c>.
    /// It may hold a password; the backend never logs it.
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// The name of a connection string in the host's <c>ConnectionStrings</c> section, used when <see cref="ConnectionString"/>
    /// is empty (keeps the secret out of the <c>Tasks</c> section).
    /// </summary>
    public string? ConnectionStringName { get; set; }

    /// <summary>Full StackExchange.Redis options, used instead of <see cref="ConnectionString"/> when set (a copy is taken).</summary>
    public ConfigurationOptions? ConfigurationOptions { get; set; }

    /// <summary>
    /// Supplies a connection the application already has (e.g. shared by several backends and caches); the backend then
    /// neither creates nor disposes a connection. Takes precedence over <see cref="ConnectionString"/>.
    /// </summary>
    public Func<Task<IConnectionMultiplexer>>? ConnectionMultiplexerFactory { get; set; }

    /// <summary>The ACL user name; overrides the connection string's <c>user</c>.</summary>
    public string? User { get; set; }

    /// <summary>The password; overrides the connection string's <c>password</c>. Never logged.</summary>
    public string? Password { get; set; }

    /// <summary>Whether to use TLS; overrides the connection string's <c>ssl</c>.</summary>
    public bool? UseTls { get; set; }

    /// <summary>The host name the server's TLS certificate must match, when it differs from the endpoint; overrides <c>sslHost</c>.</summary>
    public string? TlsHost { get; set; }

    /// <summary>The Redis database number; the connection string's <c>defaultDatabase</c> (or 0) when <see langword="null"/>.</summary>
    public int? Database { get; set; }

    /// <summary>
    /// The start of every key this backend writes (<c>&lt;prefix&gt;:...</c>). Give each application (and each test run)
    /// its own prefix so several can share one Redis without touching each other's keys. Default <c>tasks</c>.
    /// </summary>
    public string Prefix { get; set; } = DefaultPrefix;

    /// <summary>
    /// How long a task taken by a worker stays invisible to other workers without a heartbeat. A worker that dies has its
    /// tasks put back by any other worker this long after its last heartbeat. Default 30 seconds.
    /// </summary>
    public TimeSpan VisibilityTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often a worker renews its tasks and looks for tasks of dead workers; default a third of <see cref="VisibilityTimeout"/>.</summary>
    public TimeSpan? HeartbeatInterval { get; set; }

    /// <summary>How long a finished (succeeded, failed or cancelled) task's result is kept. Default 7 days.</summary>
    public TimeSpan ResultRetention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>
    /// Longest an idle worker waits before looking at its queues again when no wake-up message arrives; a safety net, as
    /// new work and due deferred tasks wake workers at once. Default 5 seconds.
    /// </summary>
    public TimeSpan IdlePollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How many tasks a worker takes ahead of its free slots, so a slot that finishes a task starts the next one without
    /// waiting a round trip for it (as a RabbitMQ prefetch count does). Tasks taken ahead are leased to that worker: other
    /// workers do not see them, <c>CancelAsync</c> returns <see langword="false"/> for them as for a started task, and a
    /// higher-priority task enqueued later runs after them on that worker. They go back to their queue when the worker
    /// stops. <see langword="null"/> (default): the worker's concurrency; 0: take only for free slots (strict priority
    /// order across workers, one more round trip per task).
    /// </summary>
    public int? PrefetchCount { get; set; }

    /// <summary>
    /// How long a task must run before its result is marked <see cref="TaskResultStatus.Running"/>. A task that finishes
    /// sooner is written once (<c>Ready → Succeeded</c>) instead of twice, which is most of a short task's cost in Redis;
    /// until then its result reads <see cref="TaskResultStatus.Ready"/>. It is already out of its queue and leased to its
    /// worker, so it is neither pending nor cancellable meanwhile, exactly as when it reads Running. A task put back after
    /// its worker died is marked Running at once on its next run, so a task that kills its worker quickly is still
    /// counted. <see cref="TimeSpan.Zero"/> marks every task Running as it starts. Default 200 ms.
    /// </summary>
    public TimeSpan RunningStatusDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Most entries kept in the dead-letter list (<c>&lt;prefix&gt;:dead</c>); older ones are trimmed. Default 10,000.</summary>
    public int DeadLetterMaxLength { get; set; } = 10_000;

    /// <summary>
    /// Envelopes written per Lua script call by a bulk enqueue. The calls of one enqueue are pipelined, so while Redis runs
    /// one call the client serializes the next: smaller calls overlap the two sides' work, larger ones pay Redis's fixed
    /// cost per call less often. Default 250 (on 2 cores about a fifth more tasks per second than 1,000).
    /// </summary>
    public int EnqueueBatchSize { get; set; } = 250;

    /// <summary>A copy whose later changes do not affect this one.</summary>
    public RedisTaskBackendOptions Clone()
    {
        var copy = (RedisTaskBackendOptions)MemberwiseClone();
        copy.ConfigurationOptions = ConfigurationOptions?.Clone();
        return copy;
    }

    /// <summary>The heartbeat interval in force.</summary>
    internal TimeSpan EffectiveHeartbeatInterval => HeartbeatInterval ?? VisibilityTimeout / 3;
}
