using Npgsql;

namespace Tasks.Quartz;

/// <summary>
/// Settings of a Quartz.NET backend (<c>tasks.AddQuartzBackend("alias", o =&gt; ...)</c>, or the section
/// <c>Tasks:Backends:&lt;alias&gt;</c> with <c>Type = "Quartz"</c>).
/// </summary>
public sealed class QuartzTaskBackendOptions
{
    /// <summary>The default table prefix, Quartz's own.</summary>
    public const string DefaultTablePrefix = "qrtz_";

    /// <summary>RAM (embedded, one process) or AdoNet (PostgreSQL, clustered). Default <see cref="QuartzJobStoreKind.Ram"/>.</summary>
    public QuartzJobStoreKind JobStore { get; set; } = QuartzJobStoreKind.Ram;

    /// <summary>Npgsql connection string of the PostgreSQL database (AdoNet only). Never logged.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// A data source for the results table and the schema set-up (AdoNet, code only); when <see langword="null"/> one is
    /// built from <see cref="ConnectionString"/>. Quartz itself always connects with <see cref="ConnectionString"/>.
    /// </summary>
    public NpgsqlDataSource? DataSource { get; set; }

    /// <summary>Prefix of the Quartz tables (AdoNet), optionally schema-qualified (<c>quartz.qrtz_</c>). Default <c>qrtz_</c>.</summary>
    public string TablePrefix { get; set; } = DefaultTablePrefix;

    /// <summary>
    /// Quartz scheduler name (<c>SCHED_NAME</c>): every process of one backend must use the same one, and two backends
    /// sharing tables must use different ones. Default <c>tasks-&lt;alias&gt;</c>.
    /// </summary>
    public string? SchedulerName { get; set; }

    /// <summary>Whether the workers of this backend form a Quartz cluster (AdoNet; default <see langword="true"/>). Turn off only for a single worker process.</summary>
    public bool Clustered { get; set; } = true;

    /// <summary>How often a clustered worker records that it is alive (Quartz <c>clusterCheckinInterval</c>, default 7.5 s).</summary>
    public TimeSpan CheckinInterval { get; set; } = TimeSpan.FromSeconds(7.5);

    /// <summary>How long past a missed check-in the others wait before recovering a worker's tasks (Quartz <c>clusterCheckinMisfireThreshold</c>, default 7.5 s).</summary>
    public TimeSpan CheckinMisfireThreshold { get; set; } = TimeSpan.FromSeconds(7.5);

    /// <summary>
    /// How long an idle worker waits before asking the job store again (Quartz <c>idleWaitTime</c>, at least 1 s; default 1 s).
    /// Tasks enqueued by another process are picked up within this time.
    /// </summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long a task runs before its result is marked <see cref="TaskResultStatus.Running"/> (AdoNet, clustered, with the
    /// built-in results table; default 200 ms). A first delivery that finishes sooner writes its result once, Ready to
    /// Succeeded or Failed, instead of twice. Meanwhile its result reads Ready, but it is no longer pending: Quartz has
    /// recorded the firing, and cancel and removal, which take Quartz's own trigger lock, refuse a task Quartz is
    /// executing. <see cref="TimeSpan.Zero"/> marks every task Running as it starts. Ignored by the Ram job store, a
    /// non-clustered one and a <see cref="ResultStore"/> of the application's, which always mark Running at once.
    /// </summary>
    public TimeSpan RunningStatusDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Quartz misfire threshold (default 60 s). Task triggers ignore misfires, so a late backlog keeps its order whatever this is.</summary>
    public TimeSpan MisfireThreshold { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Quartz thread-pool size. AdoNet: a cap on each worker scheduler's pool (which is otherwise the worker's
    /// <c>Concurrency</c>). Ram: the pool of the one shared scheduler, the ceiling of all in-process workers together (default 64).
    /// </summary>
    public int? ThreadCount { get; set; }

    /// <summary>Whether the Quartz tables are created (idempotently, under an advisory lock) at first use (AdoNet; default <see langword="true"/>). See <see cref="QuartzSchema"/>.</summary>
    public bool CreateSchema { get; set; } = true;

    /// <summary>Schema of the results table (AdoNet). Default <c>tasks</c>.</summary>
    public string ResultsSchema { get; set; } = "tasks";

    /// <summary>Name of the results table (AdoNet). Default <c>task_results</c>.</summary>
    public string ResultsTable { get; set; } = "task_results";

    /// <summary>How long finished results are kept (AdoNet; default 7 days).</summary>
    public TimeSpan ResultsRetention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>A result store to use instead of the default one (in memory for Ram, PostgreSQL for AdoNet); code only.</summary>
    public ITaskResultStore? ResultStore { get; set; }
}
