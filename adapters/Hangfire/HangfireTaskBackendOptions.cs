using Hangfire;
using Hangfire.Common;
using Hangfire.PostgreSql;

namespace Tasks.Hangfire;

/// <summary>
/// Settings of a <see cref="HangfireTaskBackend"/>. Bind them from <c>Tasks:Backends:&lt;alias&gt;</c> or set them in
/// <c>tasks.AddHangfireBackend("alias", o =&gt; ...)</c>.
/// </summary>
public sealed class HangfireTaskBackendOptions
{
    /// <summary>Which storage to create: <see cref="HangfireStorageKind.PostgreSql"/> (default) or <see cref="HangfireStorageKind.InMemory"/>. Ignored when <see cref="JobStorage"/> is set.</summary>
    public HangfireStorageKind Storage { get; set; } = HangfireStorageKind.PostgreSql;

    /// <summary>PostgreSQL connection string (Npgsql format); required for <see cref="HangfireStorageKind.PostgreSql"/>. Never logged.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>PostgreSQL schema of the Hangfire tables and of the Tasks result table; default <c>hangfire</c>, the schema Hangfire.PostgreSql itself uses, so an app's existing Hangfire jobs and Tasks share one dashboard.</summary>
    public string Schema { get; set; } = "hangfire";

    /// <summary>
    /// Prefix of the Hangfire queues Tasks uses (lowercase letters, digits, '_' or '-'; may be empty). Tasks queue
    /// <c>emails</c> at default priority becomes Hangfire queue <c>tasks_p3_emails</c>, so an app's own Hangfire servers,
    /// which listen on their own queues, never take Tasks jobs.
    /// </summary>
    public string QueuePrefix { get; set; } = "tasks_";

    /// <summary>
    /// How often an idle Hangfire worker asks PostgreSQL for work (Hangfire.PostgreSql's <c>QueuePollInterval</c>; its own
    /// default is 15 s). It is the pickup latency of tasks enqueued by another process (tasks enqueued in the worker's
    /// own process wake it at once); each idle worker thread costs one small query per interval. Minimum 50 ms.
    /// </summary>
    public TimeSpan QueuePollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long a fetched job may go without a heartbeat before PostgreSQL hands it to another worker (Hangfire.PostgreSql's
    /// <c>InvisibilityTimeout</c>, used with a sliding heartbeat every fifth of it, so long tasks are never handed out
    /// twice). It is the crash recovery time: a task whose worker process died runs again within about this long plus
    /// <see cref="QueuePollInterval"/>.
    /// </summary>
    public TimeSpan InvisibilityTimeout { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Wake PostgreSQL workers with LISTEN/NOTIFY on every enqueue (Hangfire.PostgreSql's <c>EnableLongPolling</c>): lower cross-process latency, one more statement per enqueue and one more connection per waiting worker. Default off.</summary>
    public bool EnableLongPolling { get; set; }

    /// <summary>How often a worker moves due run-after (scheduled) tasks and retries to their queue (Hangfire's <c>SchedulePollingInterval</c>; its default is 15 s). Run-after tasks start up to about this much plus 1 s late.</summary>
    public TimeSpan SchedulePollingInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long the result of a finished task stays readable (Hangfire keeps a succeeded job for 1 day by default).</summary>
    public TimeSpan ResultExpiration { get; set; } = TimeSpan.FromDays(1);

    /// <summary>
    /// PostgreSQL only: how long a task runs before the Tasks row saying Running (with its worker) is written. Until then
    /// its status is read from Hangfire's Processing state, which already keeps a cancel or another worker away from it,
    /// so a shorter task writes nothing of its own. A worker that dies within the delay is not counted as a lost attempt
    /// (a task that recovers from one writes Running at once). Zero writes it at every start. Default 200 ms.
    /// </summary>
    public TimeSpan RunningStatusDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Hangfire worker threads per Tasks worker; <see langword="null"/> uses the worker's <c>Concurrency</c>.</summary>
    public int? WorkerCount { get; set; }

    /// <summary>Code only: an existing Hangfire storage (e.g. the app's own <c>JobStorage</c>) to use instead of creating one. Results then live in that storage's hashes.</summary>
    public JobStorage? JobStorage { get; set; }

    /// <summary>
    /// Run each task in the culture of the code that enqueued it, as Hangfire does for its own jobs (its global
    /// <see cref="CaptureCultureAttribute"/>). Default off: a task runs in its worker's culture, as on every other Tasks
    /// backend, so it behaves the same whichever backend runs it. On, each job stores two more parameters (one more
    /// database statement each per enqueue with PostgreSQL).
    /// </summary>
    public bool CaptureCulture { get; set; }

    /// <summary>Code only: the Hangfire filters applied to Tasks jobs; default <see cref="JobFilterProviders.Providers"/> (the app's global filters). AutomaticRetry is always removed from Tasks jobs, and CaptureCulture unless <see cref="CaptureCulture"/> is on.</summary>
    public IJobFilterProvider? FilterProvider { get; set; }

    /// <summary>Code only: last changes to the Hangfire.PostgreSql options the backend builds.</summary>
    public Action<PostgreSqlStorageOptions>? ConfigurePostgreSql { get; set; }
}
