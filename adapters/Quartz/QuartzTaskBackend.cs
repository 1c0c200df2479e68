using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Quartz;
using Tasks.Backends;
using Tasks.Execution;
using Tasks.PostgreSql;
using Tasks.Workers;

namespace Tasks.Quartz;

/// <summary>
/// Tasks on Quartz.NET 4: every task is a Quartz job with one one-shot trigger, run by one generic job through the
/// Tasks pipeline. AdoNet: jobs and triggers in PostgreSQL, workers are clustered Quartz schedulers (one per worker,
/// serving the execution groups of its queues), results in a PostgreSQL table. Ram: one in-process scheduler shared by
/// the workers of this backend, results in memory. See the README for the mapping of priority, run-after and recovery.
/// </summary>
public sealed class QuartzTaskBackend : TaskBackendBase, ITaskWorkerFactory, IPendingTaskBackend, IAsyncDisposable
{
    /// <summary>The type name used in configuration (<c>Tasks:Backends:&lt;alias&gt;:Type</c>).</summary>
    public const string TypeName = "Quartz";

    private readonly NpgsqlDataSource? _dataSource;
    private readonly bool _ownsDataSource;
    private readonly bool _ownsResults;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly List<QuartzAdoWorker> _localWorkers = [];
    private readonly QuartzPendingTasks _pending;
    private StandaloneSchedulerFactory? _clientFactory;
    private IScheduler? _client;
    private QuartzRamEngine? _ram;
    private volatile bool _schemaReady;
    private volatile bool _resultsReady;
    private long _lastReadyTicks;
    private int _disposed;

    /// <summary>Creates the backend.</summary>
    /// <exception cref="TaskConfigurationException">The options are incomplete or invalid.</exception>
    public QuartzTaskBackend(string alias, QuartzTaskBackendOptions options, ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null)
        : this(alias, Prepare(alias, options), loggerFactory, timeProvider)
    {
    }

    private QuartzTaskBackend(string alias, Prepared prepared, ILoggerFactory? loggerFactory, TimeProvider? timeProvider)
        : base(alias, prepared.Results, timeProvider)
    {
        Options = prepared.Options;
        SchedulerName = prepared.SchedulerName;
        _dataSource = prepared.DataSource;
        _ownsDataSource = prepared.OwnsDataSource;
        _ownsResults = prepared.OwnsResults;
        SqlResultsTable = prepared.SqlResultsTable;
        _pending = new QuartzPendingTasks(this);
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        _logger = _loggerFactory.CreateLogger<QuartzTaskBackend>();
    }

    /// <inheritdoc />
    public override TaskBackendCapabilities Capabilities =>
        TaskBackendCapabilities.Defer | TaskBackendCapabilities.Priority | TaskBackendCapabilities.Results |
        TaskBackendCapabilities.Cancel | TaskBackendCapabilities.BulkEnqueue | TaskBackendCapabilities.Background |
        TaskBackendCapabilities.ListPending;

    /// <summary>The options this backend was built with.</summary>
    public QuartzTaskBackendOptions Options { get; }

    /// <summary>The Quartz scheduler name (<c>SCHED_NAME</c>) of this backend.</summary>
    public string SchedulerName { get; }

    internal ILoggerFactory LoggerFactory => _loggerFactory;

    internal ILogger Logger => _logger;

    internal TimeProvider Clock => Time;

    /// <summary>The data source of the results table and schema set-up (AdoNet).</summary>
    internal NpgsqlDataSource? DataSource => _dataSource;

    /// <summary>
    /// Whether first deliveries write Running only after <see cref="QuartzTaskBackendOptions.RunningStatusDelay"/>: only where
    /// cancel can rely on Quartz's own record of a firing, taken under Quartz's database lock (clustered AdoNet) and in
    /// the same transaction as the result (the built-in results table).
    /// </summary>
    internal bool DefersRunningStatus => SqlResultsTable is not null && Options.Clustered && Options.RunningStatusDelay > TimeSpan.Zero;

    /// <summary>
    /// Whether task jobs are durable (AdoNet with the built-in results table): Quartz keeps a job when its last trigger
    /// completes, so the job lives as long as the task's result row and the workers' <see cref="QuartzResultPurger"/> deletes
    /// it with the row once the row has expired.
    /// </summary>
    internal bool DurableJobs => SqlResultsTable is not null;

    /// <summary>The quoted results table when results live in the backend's own PostgreSQL table (AdoNet without a custom store), so SQL may join it with the Quartz tables.</summary>
    internal string? SqlResultsTable { get; }

    /// <summary>
    /// Prepares the enqueue side now rather than at the first enqueue: creates the Quartz tables (with
    /// <see cref="QuartzTaskBackendOptions.CreateSchema"/>) and the results table, and builds the Quartz scheduler that
    /// writes the job store, so a misconfiguration shows at start-up and the first enqueue costs what the others do.
    /// </summary>
    /// <exception cref="TaskBackendUnavailableException">The database cannot be reached.</exception>
    /// <exception cref="TaskConfigurationException">The Quartz tables are missing and may not be created.</exception>
    public async Task ConnectAsync(CancellationToken cancellationToken = default)
    {
        await GetDispatchSchedulerAsync(cancellationToken).ConfigureAwait(false);

        try
        {
            await EnsureResultsTableAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (TaskBackendUnavailableException ex) when (ex.Backend != Alias)
        {
            throw new TaskBackendUnavailableException(Alias, "connecting", ex);
        }
    }

    /// <summary>Makes sure the results table exists (the results store creates it at its first use; enqueue may write it before).</summary>
    internal async ValueTask EnsureResultsTableAsync(CancellationToken cancellationToken)
    {
        if (Results is QuartzJobResults jobResults)
        {
            await jobResults.EnsureTableAsync(cancellationToken).ConfigureAwait(false);
        }
        else if (!_resultsReady)
        {
            await Results.FindAsync(Guid.Empty.ToString(), cancellationToken).ConfigureAwait(false);
            _resultsReady = true;
        }
    }

    /// <inheritdoc />
    /// <remarks>With the built-in results table the Quartz tables are read too (a pending task's job stands for its result), so they are made first.</remarks>
    public override async Task<TaskResult> GetResultAsync(string id, CancellationToken cancellationToken = default)
    {
        if (SqlResultsTable is not null)
        {
            await RunQuartzAsync("reading a result", () => EnsureSchemaAsync(cancellationToken)).ConfigureAwait(false);
        }

        return await base.GetResultAsync(id, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public IAsyncEnumerable<TaskEnvelope> ListPendingAsync(string? queue = null, CancellationToken cancellationToken = default) =>
        _pending.ListAsync(queue, cancellationToken);

    /// <inheritdoc />
    public Task<bool> RemovePendingAsync(string id, CancellationToken cancellationToken = default) =>
        _pending.RemoveAsync(id, cancellationToken);

    /// <inheritdoc />
    /// <remarks>
    /// AdoNet with the built-in results table: only Quartz's job and trigger rows are written, exactly what Quartz's own
    /// <c>ScheduleJob</c> writes; the job stands for the task's Ready result until the task changes
    /// (<see cref="QuartzJobResults"/>), and Quartz's own key refuses an id in use, because a task's (durable) job is kept
    /// as long as its result (<see cref="QuartzResultPurger"/>). Otherwise the results are written first and removed again
    /// if Quartz fails (<see cref="TaskBackendBase"/>).
    /// </remarks>
    public override async Task<IReadOnlyList<TaskResult>> EnqueueManyAsync(IReadOnlyList<TaskEnvelope> envelopes, CancellationToken cancellationToken = default)
    {
        try
        {
            if (SqlResultsTable is null)
            {
                return await base.EnqueueManyAsync(envelopes, cancellationToken).ConfigureAwait(false);
            }

            var results = new TaskResult[envelopes.Count];
            for (var i = 0; i < results.Length; i++)
            {
                TaskValidation.Validate(envelopes[i], this);
                results[i] = TaskResult.ForEnqueued(envelopes[i], Alias);
            }

            await EnsureResultsTableAsync(cancellationToken).ConfigureAwait(false);
            var scheduler = await GetDispatchSchedulerAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await RunQuartzAsync("enqueue", () => ScheduleAsync(scheduler, envelopes, cancellationToken)).ConfigureAwait(false);
            }
            catch (Exception ex) when (QuartzErrors.Find<ObjectAlreadyExistsException>(ex) is not null || QuartzErrors.Find<PostgresException>(ex) is { SqlState: PostgresErrorCodes.UniqueViolation })
            {
                // Quartz refuses an id whose job exists, and a task's job lives as long as its result row
                // (QuartzResultPurger). Nothing was written (the transaction rolled back): the caller reused an id. Only
                // the scheduling is read this way: a unique violation while preparing tables is not about ids.
                throw new InvalidTaskException($"A task with one of these ids already exists in backend '{Alias}'; task ids are unique.", "Id", Alias, ex);
            }

            return results;
        }
        catch (TaskBackendUnavailableException ex) when (ex.Backend != Alias)
        {
            // The results table is this backend's too: report the backend the caller knows.
            throw new TaskBackendUnavailableException(Alias, "enqueue", ex);
        }
    }

    /// <inheritdoc />
    public override async Task DispatchAsync(IReadOnlyList<TaskEnvelope> envelopes, CancellationToken cancellationToken = default)
    {
        var scheduler = await GetDispatchSchedulerAsync(cancellationToken).ConfigureAwait(false);
        await RunQuartzAsync("enqueue", () => ScheduleAsync(scheduler, envelopes, cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>One job and first trigger per envelope, in one Quartz call.</summary>
    private async Task ScheduleAsync(IScheduler scheduler, IReadOnlyList<TaskEnvelope> envelopes, CancellationToken cancellationToken)
    {
        var readyAt = ReadyNow(envelopes.Count);
        if (envelopes.Count == 1)
        {
            var e = envelopes[0];
            await scheduler.ScheduleJob(QuartzTaskMapping.Job(e, TaskJson.Serialize(e), DurableJobs), QuartzTaskMapping.FirstTrigger(e, QuartzTaskMapping.FireTime(e.Priority, e.RunAfter, readyAt)), default, cancellationToken).ConfigureAwait(false);
            return;
        }

        // Bulk: one ScheduleJobs call; ready times one tick apart keep the batch FIFO within a priority.
        var batch = new Dictionary<IJobDetail, IReadOnlyCollection<ITrigger>>(envelopes.Count);
        for (var i = 0; i < envelopes.Count; i++)
        {
            var e = envelopes[i];
            var fireTime = QuartzTaskMapping.FireTime(e.Priority, e.RunAfter, readyAt.AddTicks(i));
            batch.Add(QuartzTaskMapping.Job(e, TaskJson.Serialize(e), DurableJobs), [QuartzTaskMapping.FirstTrigger(e, fireTime)]);
        }

        await scheduler.ScheduleJobs(batch, default, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public ITaskWorker CreateWorker(TaskWorkerOptions options, IServiceProvider services)
    {
        var executor = services.GetRequiredService<TaskExecutor>();
        var workerId = options.WorkerId ?? WorkerIds.Create();
        return Options.JobStore == QuartzJobStoreKind.Ram
            ? GetRamEngine().CreateWorker(options, workerId, executor)
            : new QuartzAdoWorker(this, options, workerId, executor);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        if (_ram is not null)
        {
            await _ram.DisposeAsync().ConfigureAwait(false);
        }

        if (_clientFactory is not null)
        {
            await _clientFactory.DisposeAsync().ConfigureAwait(false);
        }

        if (_ownsResults && Results is IAsyncDisposable results)
        {
            await results.DisposeAsync().ConfigureAwait(false);
        }

        if (_ownsDataSource && _dataSource is not null)
        {
            await _dataSource.DisposeAsync().ConfigureAwait(false);
        }

        _gate.Dispose();
    }

    /// <inheritdoc />
    /// <remarks>
    /// With the built-in results table the result's compare-and-set and the deletion of the Quartz job are one
    /// transaction, under Quartz's trigger lock, refused while Quartz executes the task (its result may still read Ready:
    /// <see cref="QuartzTaskBackendOptions.RunningStatusDelay"/>). Otherwise as <see cref="TaskBackendBase"/> does it.
    /// </remarks>
    public override async Task<bool> CancelAsync(string id, CancellationToken cancellationToken = default)
    {
        if (SqlResultsTable is null)
        {
            return await base.CancelAsync(id, cancellationToken).ConfigureAwait(false);
        }

        var current = await GetResultAsync(id, cancellationToken).ConfigureAwait(false);
        if (current.Status != TaskResultStatus.Ready)
        {
            return false;
        }

        var cancelled = current with { Status = TaskResultStatus.Cancelled, FinishedAt = Time.GetUtcNow(), Version = current.Version + 1 };
        return await _pending.CancelAsync(cancelled, current.Version, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    protected override async Task OnCancelledAsync(string id, CancellationToken cancellationToken)
    {
        // The result is already Cancelled (a worker would skip it); removing the job saves the firing.
        var scheduler = await GetDispatchSchedulerAsync(cancellationToken).ConfigureAwait(false);
        await RunQuartzAsync("cancel", async () => await scheduler.DeleteJob(QuartzTaskMapping.JobKey(id), cancellationToken).ConfigureAwait(false)).ConfigureAwait(false);
    }

    /// <summary>A ready instant unique to this backend instance (tick resolution), so FIFO holds for tasks enqueued in a burst.</summary>
    internal DateTimeOffset ReadyNow(int count = 1)
    {
        var now = Time.GetUtcNow().UtcTicks;
        while (true)
        {
            var last = Interlocked.Read(ref _lastReadyTicks);
            var next = Math.Max(now, last + 1);
            if (Interlocked.CompareExchange(ref _lastReadyTicks, next + count - 1, last) == last)
            {
                return new DateTimeOffset(next, TimeSpan.Zero);
            }
        }
    }

    /// <summary>The envelope a firing carries (the trigger's, else the job's), or <see langword="null"/> when it has none that reads.</summary>
    internal TaskEnvelope? ReadEnvelope(IJobExecutionContext firing)
    {
        try
        {
            var json = firing.MergedJobDataMap.GetString(QuartzTaskMapping.EnvelopeKey) ?? throw new TaskPayloadException($"No '{QuartzTaskMapping.EnvelopeKey}' in the job data.");
            return TaskJson.DeserializeEnvelope(json);
        }
        catch (Exception ex)
        {
            QuartzLog.NoEnvelope(_logger, ex, Alias, firing.JobDetail.Key.ToString());
            return null;
        }
    }

    /// <summary>How soon a task whose attempt could not be recorded runs again: its put-back trigger's delay, or the pause before the firing runs again when it cannot be put back either.</summary>
    internal static readonly TimeSpan RefirePause = TimeSpan.FromSeconds(1);

    /// <summary>Runs one firing through the pipeline and settles it (retry, put back), on the scheduler that fired it.</summary>
    internal async ValueTask RunFiringAsync(IJobExecutionContext firing, TaskEnvelope envelope, TaskExecutor executor, TaskExecutionContext context, CancellationToken cancellationToken)
    {
        TaskExecutionOutcome outcome;
        try
        {
            // A first delivery (the trigger the enqueue made, not a recovery) finds the result as the enqueue left it, so
            // the pipeline's first read is skipped; its compare-and-set on that version still catches any change.
            var firstDelivery = !firing.Recovering && firing.Trigger.Key.Name == envelope.Id;
            var results = new FiringResults(context.Results, firing.Scheduler, envelope, Alias, firstDelivery, DefersRunningStatus ? Options.RunningStatusDelay : null, Time, ex => QuartzLog.RunningWriteFailed(_logger, ex, Alias, envelope.Id));
            var firingContext = context with { Results = results };
            outcome = await executor.ExecuteAsync(envelope, firingContext, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // The pipeline could not record the attempt (e.g. the results table is unreachable): fire it again soon.
            QuartzLog.DeliveryFailed(_logger, ex, Alias, envelope.Id, RefirePause.TotalMilliseconds);
            await PutBackOrRefireAsync(firing, envelope, Time.GetUtcNow() + RefirePause, cancellationToken).ConfigureAwait(false);
            return;
        }

        switch (outcome.Disposition)
        {
            case TaskExecutionDisposition.Retry:
                var retry = outcome.Retry!;
                await PutBackOrRefireAsync(firing, retry, QuartzTaskMapping.FireTime(retry.Priority, retry.RunAfter, ReadyNow()), cancellationToken).ConfigureAwait(false);
                break;
            case TaskExecutionDisposition.Abandoned:
                // Back to its old place in the backlog.
                await PutBackAsync(firing.Scheduler, envelope, firing.ScheduledFireTimeUtc ?? QuartzTaskMapping.FireTime(envelope.Priority, null, ReadyNow())).ConfigureAwait(false);
                break;
        }
    }

    /// <summary>
    /// Schedules the task's next delivery; if even that fails (the database is away), runs this firing again after
    /// <see cref="RefirePause"/> instead of ending it: an ended firing takes the task's last trigger with it, and the task
    /// would never run again. Should the process die meanwhile, Quartz's recovery fires it again. (A retry refired this way
    /// may run before its backoff has passed.)
    /// </summary>
    private async ValueTask PutBackOrRefireAsync(IJobExecutionContext firing, TaskEnvelope envelope, DateTimeOffset fireTime, CancellationToken cancellationToken)
    {
        try
        {
            await PutBackAsync(firing.Scheduler, envelope, fireTime).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            QuartzLog.Refiring(_logger, Alias, envelope.Id, RefirePause.TotalMilliseconds);
            await Task.Delay(RefirePause, Time, cancellationToken).ConfigureAwait(false);
            throw new JobExecutionException(ex) { RefireImmediately = true };
        }
    }

    /// <summary>Schedules another delivery of the task's job (the current trigger still holds the job, so it is not deleted).</summary>
    internal async ValueTask PutBackAsync(IScheduler scheduler, TaskEnvelope envelope, DateTimeOffset fireTime)
    {
        try
        {
            await scheduler.ScheduleJob(QuartzTaskMapping.NextTrigger(envelope, fireTime), default, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            QuartzLog.PutBackFailed(_logger, ex, Alias, envelope.Id);
            throw;
        }
    }

    /// <summary>Creates the Quartz tables once per backend instance (AdoNet, <see cref="QuartzTaskBackendOptions.CreateSchema"/>).</summary>
    internal async Task EnsureSchemaAsync(CancellationToken cancellationToken)
    {
        if (_schemaReady || Options.JobStore != QuartzJobStoreKind.AdoNet || !Options.CreateSchema)
        {
            return;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_schemaReady)
            {
                await RunQuartzAsync("creating the Quartz tables", () => QuartzSchema.EnsureCreatedAsync(_dataSource!, Options.TablePrefix, cancellationToken)).ConfigureAwait(false);
                _schemaReady = true;
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Builds a Quartz scheduler of this backend (not started), with Quartz's own PostgreSQL delegate (Quartz batches the
    /// statements of firing rounds and completions only for the delegates it ships).
    /// </summary>
    internal StandaloneSchedulerFactory BuildScheduler(string? instanceId, int threads, IEnumerable<string>? servedQueues, IQuartzTaskHost host, Action<ExecutionLimitsBuilder>? limits = null) =>
        QuartzSchedulerBuilder.Create(q =>
        {
            // Quartz logs where the application logs, without Quartz's process-wide LogProvider.
            q.Services.AddSingleton(_loggerFactory);
            q.ConfigureScheduler(s =>
            {
                s.InstanceName = SchedulerName;
                if (instanceId is not null)
                {
                    s.InstanceId = instanceId;
                }

                s.IdleWaitTime = Options.PollInterval;
                if (servedQueues is not null)
                {
                    s.ServedExecutionGroups.AddRange(servedQueues.Select(QuartzTaskMapping.ExecutionGroup));
                }
            });
            q.UseDefaultThreadPool(threads);
            if (Options.JobStore == QuartzJobStoreKind.Ram)
            {
                q.UseInMemoryStore(m => m.MisfireThreshold = Options.MisfireThreshold);
            }
            else
            {
                q.UsePersistentStore(p =>
                {
                    p.UsePostgres(Options.ConnectionString!);
                    p.UseSerializer(_ => new QuartzJobDataSerializer());
                    p.ConfigureStore(s =>
                    {
                        s.TablePrefix = Options.TablePrefix;
                        s.StoreJobDataAsStrings = true; // job data is our envelope JSON, as strings
                        s.AcceptEnlistedTransactions = true; // results rows and Quartz rows written in one transaction
                        s.MisfireThreshold = Options.MisfireThreshold;
                    });
                    if (Options.Clustered)
                    {
                        p.UseClustering(c =>
                        {
                            c.CheckinInterval = Options.CheckinInterval;
                            c.CheckinMisfireThreshold = Options.CheckinMisfireThreshold;
                        });
                    }
                });
            }

            if (limits is not null)
            {
                q.UseExecutionLimits(limits);
            }

            q.UseJobFactory(new QuartzTaskJobFactory(host));
        }).Build();

    internal void AddLocalWorker(QuartzAdoWorker worker)
    {
        lock (_localWorkers)
        {
            _localWorkers.Add(worker);
        }
    }

    internal void RemoveLocalWorker(QuartzAdoWorker worker)
    {
        lock (_localWorkers)
        {
            _localWorkers.Remove(worker);
        }
    }

    /// <summary>Runs a Quartz or database call, turning an unreachable database into the typed error (and any failure after <paramref name="cancellationToken"/> was cancelled into the cancellation).</summary>
    internal async Task RunQuartzAsync(string what, Func<Task> work, CancellationToken cancellationToken = default)
    {
        try
        {
            await work().ConfigureAwait(false);
        }
        catch (Exception ex) when (Translate(what, ex, cancellationToken) is { } typed)
        {
            throw typed;
        }
    }

    /// <summary>The typed error for a failed Quartz or database call, or <see langword="null"/> when it has none (rethrow as is): <see cref="QuartzErrors.Translate"/>.</summary>
    internal Exception? Translate(string what, Exception ex, CancellationToken cancellationToken = default) => QuartzErrors.Translate(Alias, Options.TablePrefix, what, ex, cancellationToken);

    private QuartzRamEngine GetRamEngine()
    {
        lock (_localWorkers)
        {
            return _ram ??= new QuartzRamEngine(this);
        }
    }

    internal async ValueTask<IScheduler> GetDispatchSchedulerAsync(CancellationToken cancellationToken)
    {
        if (Options.JobStore == QuartzJobStoreKind.Ram)
        {
            return await GetRamEngine().GetSchedulerAsync(cancellationToken).ConfigureAwait(false);
        }

        // A running worker of this backend in this process is told of new work at once; otherwise the client scheduler
        // (built, never started) writes the job store and workers find the task on their next poll.
        lock (_localWorkers)
        {
            foreach (var w in _localWorkers)
            {
                if (w.Scheduler is { } local)
                {
                    return local;
                }
            }
        }

        if (_client is { } client)
        {
            return client;
        }

        await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_client is null)
            {
                var factory = BuildScheduler(Options.Clustered ? $"{Alias}-client-{Guid.NewGuid().ToString("N")[..8]}" : null, 1, null, new ClientOnlyHost());
                try
                {
                    // Building the scheduler validates the schema (and connects): failures get the typed errors.
                    await RunQuartzAsync("connecting to the Quartz job store", async () => _client = await factory.GetScheduler(cancellationToken).ConfigureAwait(false)).ConfigureAwait(false);
                }
                catch
                {
                    await factory.DisposeAsync().ConfigureAwait(false);
                    throw;
                }

                _clientFactory = factory;
            }

            return _client!;
        }
        finally
        {
            _gate.Release();
        }
    }

    private static Prepared Prepare(string alias, QuartzTaskBackendOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var schedulerName = string.IsNullOrWhiteSpace(options.SchedulerName) ? $"tasks-{alias}" : options.SchedulerName;
        if (options.PollInterval < TimeSpan.FromSeconds(1))
        {
            throw new TaskConfigurationException($"Quartz backend '{alias}': PollInterval {options.PollInterval} is below Quartz's minimum idle wait of 1 second.");
        }

        if (options.RunningStatusDelay < TimeSpan.Zero)
        {
            throw new TaskConfigurationException($"Quartz backend '{alias}': RunningStatusDelay {options.RunningStatusDelay} is negative.");
        }

        if (options.ThreadCount is < 1)
        {
            throw new TaskConfigurationException($"Quartz backend '{alias}': ThreadCount must be at least 1.");
        }

        if (options.JobStore == QuartzJobStoreKind.Ram)
        {
            return new Prepared(options, schedulerName, options.ResultStore ?? new InMemoryTaskResultStore(), options.ResultStore is null, null, false, null);
        }

        if (string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            throw new TaskConfigurationException($"Quartz backend '{alias}' uses the AdoNet job store and needs a ConnectionString (Tasks:Backends:{alias}:ConnectionString).");
        }

        QuartzSchema.ValidatePrefix(options.TablePrefix);
        var dataSource = options.DataSource ?? NpgsqlDataSource.Create(options.ConnectionString);
        if (options.ResultStore is { } custom)
        {
            return new Prepared(options, schedulerName, custom, false, dataSource, options.DataSource is null, null);
        }

        var rows = new PostgreSqlTaskResultStore(
            new PostgreSqlTaskResultStoreOptions { Schema = options.ResultsSchema, Table = options.ResultsTable, Retention = options.ResultsRetention, PurgeAutomatically = false }, // QuartzResultPurger purges rows with their jobs
            dataSource);
        var sqlTable = $"\"{options.ResultsSchema}\".\"{options.ResultsTable}\""; // names checked by the store
        return new Prepared(options, schedulerName, new QuartzJobResults(rows, dataSource, sqlTable, options.TablePrefix, schedulerName, alias), true, dataSource, options.DataSource is null, sqlTable);
    }

    private sealed record Prepared(QuartzTaskBackendOptions Options, string SchedulerName, ITaskResultStore Results, bool OwnsResults, NpgsqlDataSource? DataSource, bool OwnsDataSource, string? SqlResultsTable);

    /// <summary>The client scheduler is never started, so nothing ever fires on it.</summary>
    private sealed class ClientOnlyHost : IQuartzTaskHost
    {
        public ValueTask RunAsync(IJobExecutionContext context, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("The Quartz client scheduler of a Tasks backend runs no jobs.");
    }
}
