using System.Runtime.CompilerServices;
using Hangfire;
using Hangfire.Common;
using Hangfire.InMemory;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Hangfire.Server;
using Hangfire.States;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Tasks.Execution;
using Tasks.Hangfire.Internal;
using Tasks.Workers;

namespace Tasks.Hangfire;

/// <summary>
/// Tasks on Hangfire 1.8: each task is one Hangfire job (<see cref="TasksJob"/>) on Hangfire.PostgreSql or
/// Hangfire.InMemory (or an app's own <see cref="JobStorage"/>), visible and readable in the Hangfire dashboard.
/// Priority maps to per-queue priority bands (<see cref="HangfireQueueNames"/>), run-after to Hangfire's Scheduled state,
/// cancel to Hangfire's Delete, workers to Hangfire servers. Hangfire's own retries are off for Tasks jobs; the Tasks
/// pipeline retries. The backend uses no Hangfire global state (<c>GlobalConfiguration</c>, <c>JobStorage.Current</c>).
/// </summary>
public sealed class HangfireTaskBackend : TaskBackendBase, ITaskWorkerFactory, IPendingTaskBackend, IAsyncDisposable
{
    /// <summary>The type name used in configuration (<c>Tasks:Backends:&lt;alias&gt;:Type</c>).</summary>
    public const string TypeName = "Hangfire";

    /// <summary>The reason of the Deleted state of a cancelled task's job, shown in the dashboard.</summary>
    internal const string CancelledReason = "Tasks: cancelled";

    private static readonly TimeSpan ResultLockTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan ResultCleanupInterval = TimeSpan.FromMinutes(30);

    private readonly HangfireTaskBackendOptions _options;
    private readonly IHangfireResultStore _store;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly IJobFilterProvider _filterProvider;
    private readonly EnqueueCommitHook _commitHook;
    private readonly RecoveredJobs _recovered = new();
    private readonly object _gate = new();
    private readonly bool _ownsStorage;
    private readonly HangfirePendingTasks _pending;
    private JobStorage? _storage;
    private BackgroundJobClient? _client;

    /// <summary>Creates the backend; nothing connects until first use.</summary>
    /// <exception cref="TaskConfigurationException">The options are incomplete or invalid.</exception>
    public HangfireTaskBackend(string alias, HangfireTaskBackendOptions options, ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null)
        : this(alias, Check(alias, options), timeProvider ?? TimeProvider.System, loggerFactory ?? NullLoggerFactory.Instance)
    {
    }

    private HangfireTaskBackend(string alias, (HangfireTaskBackendOptions Options, IHangfireResultStore Store, JobStorage? Storage, bool Owns, StrongBox<Func<JobStorage>?> StorageSource) parts, TimeProvider time, ILoggerFactory loggerFactory)
        : base(alias, parts.Store, time)
    {
        _options = parts.Options;
        _store = parts.Store;
        _storage = parts.Storage;
        _ownsStorage = parts.Owns;
        parts.StorageSource.Value = GetStorage;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger<HangfireTaskBackend>();
        _commitHook = new EnqueueCommitHook(_store);
        _filterProvider = new TasksJobFilterProvider(_options.FilterProvider ?? JobFilterProviders.Providers, _options.CaptureCulture, _commitHook, _recovered);
        _pending = new HangfirePendingTasks(GetStorage, GetClient, _store, _options.QueuePrefix, time);
    }

    /// <inheritdoc />
    public override TaskBackendCapabilities Capabilities =>
        TaskBackendCapabilities.Defer | TaskBackendCapabilities.Priority | TaskBackendCapabilities.Results |
        TaskBackendCapabilities.Cancel | TaskBackendCapabilities.Background | TaskBackendCapabilities.ListPending;

    /// <summary>The Hangfire storage (created on first use): pass it to <c>UseHangfireDashboard(..., storage)</c> to see the tasks.</summary>
    /// <exception cref="TaskBackendUnavailableException">PostgreSQL could not be reached to prepare the storage.</exception>
    public JobStorage JobStorage => GetStorage();

    /// <summary>The Hangfire queues Tasks queue <paramref name="queue"/> uses, highest priority band first.</summary>
    public IReadOnlyList<string> GetHangfireQueues(string queue)
    {
        HangfireQueueNames.Validate(queue, Alias);
        return HangfireQueueNames.ListenOrder(_options.QueuePrefix, [queue]);
    }

    /// <inheritdoc />
    public override async Task<IReadOnlyList<TaskResult>> EnqueueManyAsync(IReadOnlyList<TaskEnvelope> envelopes, CancellationToken cancellationToken = default)
    {
        foreach (var e in envelopes)
        {
            TaskValidation.Validate(e, this);
            HangfireQueueNames.Validate(e.Queue, Alias);
        }

        cancellationToken.ThrowIfCancellationRequested();
        var results = new TaskResult[envelopes.Count];
        for (var i = 0; i < results.Length; i++)
        {
            results[i] = TaskResult.ForEnqueued(envelopes[i], Alias);
        }

        await _store.BeforeCreateAsync(results, cancellationToken).ConfigureAwait(false);
        // The hook sends a store's write during Hangfire's commit; where the jobs are the results there is none to send.
        var enqueue = _store.StatusFromJobs ? null : _commitHook.Begin(results, cancellationToken);
        var jobIds = new string?[envelopes.Count];
        try
        {
            CreateJobs(envelopes, enqueue, jobIds);
        }
        catch (Exception)
        {
            // A write sent during a commit that then failed must land before the clean-up, or it would outlive it.
            await IgnoreErrorsAsync(enqueue?.Written).ConfigureAwait(false);
            await ForgetAsync(results, jobIds).ConfigureAwait(false);
            throw;
        }
        finally
        {
            if (enqueue is not null)
            {
                _commitHook.End();
            }
        }

        try
        {
            if (enqueue?.Written is { } written)
            {
                await written.ConfigureAwait(false);
            }
            else
            {
                // No hook (the jobs are the results), or it did not see every job's creation (a client filter of the app's
                // may have changed it).
                for (var i = 0; i < results.Length; i++)
                {
                    results[i] = results[i] with { EngineId = jobIds[i]! };
                }

                await _store.AfterCreateAsync(results, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception)
        {
            // The jobs must not run for tasks the caller is told were not enqueued.
            await ForgetAsync(results, jobIds).ConfigureAwait(false);
            throw;
        }

        return results;
    }

    /// <inheritdoc />
    public override Task DispatchAsync(IReadOnlyList<TaskEnvelope> envelopes, CancellationToken cancellationToken = default)
    {
        foreach (var e in envelopes)
        {
            HangfireQueueNames.Validate(e.Queue, Alias);
        }

        var jobIds = new string?[envelopes.Count];
        try
        {
            CreateJobs(envelopes, enqueue: null, jobIds);
        }
        catch (Exception)
        {
            DeleteJobs(jobIds);
            throw;
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public override async Task<bool> CancelAsync(string id, CancellationToken cancellationToken = default)
    {
        var current = await GetResultAsync(id, cancellationToken).ConfigureAwait(false);
        if (current.Status != TaskResultStatus.Ready)
        {
            return false;
        }

        if (_store.StatusFromJobs)
        {
            // The job's state is the status: Deleted reads as Cancelled, and a job Hangfire started (it starts jobs only
            // from Enqueued, under the job's lock) is not deleted.
            try
            {
                return current.EngineId is { } job && _pending.DeleteIfNotStarted(job, CancelledReason);
            }
            catch (Exception ex) when (IsStorageFailure(ex, cancellationToken))
            {
                throw new TaskBackendUnavailableException(Alias, "cancelling a task", ex);
            }
        }

        var cancelled = current with { Status = TaskResultStatus.Cancelled, FinishedAt = Time.GetUtcNow(), Version = current.Version + 1 };
        if (!await Results.TryUpdateAsync(cancelled, current.Version, cancellationToken).ConfigureAwait(false))
        {
            return false; // a worker started it first
        }

        if (current.EngineId is { } jobId)
        {
            try
            {
                // Deleted jobs are never fetched to run, and the dashboard shows them as deleted.
                GetClient().Delete(jobId);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The result already says Cancelled, so a worker that gets the job skips it.
                HangfireLog.DeleteFailed(_logger, ex, jobId, id);
            }
        }

        return true;
    }

    /// <inheritdoc />
    /// <remarks>
    /// Tasks whose Hangfire job is Scheduled (run-after, or waiting for a retry) or Enqueued and whose result is Ready,
    /// read from Hangfire's monitoring API in pages of <c>500</c> jobs plus one result read per page. Run it while the
    /// backend's workers are stopped (as <see cref="Migration.TaskMigrator"/> requires): a task that starts meanwhile is
    /// not listed, and a task that moves while the listing runs is listed once.
    /// </remarks>
    /// <exception cref="InvalidTaskException"><paramref name="queue"/> cannot be a Hangfire queue.</exception>
    public IAsyncEnumerable<TaskEnvelope> ListPendingAsync(string? queue = null, CancellationToken cancellationToken = default)
    {
        if (queue is not null)
        {
            HangfireQueueNames.Validate(queue, Alias);
        }

        return Guard(_pending.ListAsync(queue, cancellationToken), "listing pending tasks", cancellationToken);
    }

    /// <inheritdoc />
    /// <remarks>
    /// Compare-and-sets the result Ready → Cancelled, so no worker can start the task any more, then deletes its
    /// Hangfire job if it is still Enqueued or Scheduled (the dashboard shows it Deleted) and removes the result.
    /// </remarks>
    public async Task<bool> RemovePendingAsync(string id, CancellationToken cancellationToken = default)
    {
        TaskValidation.ValidateId(id, Alias);
        try
        {
            return await _pending.RemoveAsync(id, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsStorageFailure(ex, cancellationToken))
        {
            throw new TaskBackendUnavailableException(Alias, "removing a pending task", ex);
        }
    }

    /// <inheritdoc />
    public ITaskWorker CreateWorker(TaskWorkerOptions options, IServiceProvider services)
    {
        foreach (var q in options.Queues)
        {
            HangfireQueueNames.Validate(q, Alias);
        }

        var executor = services.GetRequiredService<TaskExecutor>();
        var workerId = options.WorkerId ?? WorkerIds.Create();
        var queues = HangfireQueueNames.ListenOrder(_options.QueuePrefix, options.Queues);
        var logger = _loggerFactory.CreateLogger<HangfireTaskWorker>();
        var processes = _store is PostgreSqlResultStore ? new IBackgroundProcess[] { new ExpiredResultsCleaner(_store, ResultCleanupInterval, logger) } : [];
        BackgroundJobServerOptions ServerOptions()
        {
            var runner = new HangfireJobRunner(executor, Alias, workerId, _store, _recovered, GetClient(), logger, Time);
            return new BackgroundJobServerOptions
            {
                ServerName = workerId,
                Queues = queues,
                WorkerCount = _options.WorkerCount ?? options.Concurrency,
                SchedulePollingInterval = _options.SchedulePollingInterval,

                // Hangfire cancels running jobs StopTimeout after the stop; the grace period of a Tasks worker is its ShutdownTimeout.
                StopTimeout = options.ShutdownTimeout,
                ShutdownTimeout = options.ShutdownTimeout + TimeSpan.FromSeconds(5),
                Activator = new TasksJobActivator(runner, services),
                FilterProvider = _filterProvider,
            };
        }

        return new HangfireTaskWorker(workerId, ServerOptions, GetStorage, processes, Alias, logger);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _store.DisposeAsync().ConfigureAwait(false);
        if (_ownsStorage && _storage is IDisposable disposable)
        {
            disposable.Dispose();
        }
    }

    /// <summary>
    /// Hangfire keeps scheduled jobs under whole Unix seconds and enqueues them once that second has begun, which can be
    /// up to 1 s early; rounding up to the next second means a task never starts before its run-after time.
    /// </summary>
    internal static DateTime ScheduleTime(DateTimeOffset at)
    {
        var ticks = at.UtcTicks;
        var rest = ticks % TimeSpan.TicksPerSecond;
        return new DateTime(rest == 0 ? ticks : ticks - rest + TimeSpan.TicksPerSecond, DateTimeKind.Utc);
    }

    /// <summary>Hangfire's storage errors (PostgreSQL unreachable) are reported as <see cref="TaskBackendUnavailableException"/>, like the result store's.</summary>
    private static bool IsStorageFailure(Exception ex, CancellationToken cancellationToken) => PostgreSqlResultStore.IsUnavailable(ex, cancellationToken);

    private async IAsyncEnumerable<TaskEnvelope> Guard(IAsyncEnumerable<TaskEnvelope> source, string operation, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var e = source.GetAsyncEnumerator(cancellationToken);
        while (true)
        {
            try
            {
                if (!await e.MoveNextAsync().ConfigureAwait(false))
                {
                    yield break;
                }
            }
            catch (Exception ex) when (IsStorageFailure(ex, cancellationToken))
            {
                throw new TaskBackendUnavailableException(Alias, operation, ex);
            }

            yield return e.Current;
        }
    }

    private static async Task IgnoreErrorsAsync(Task? task)
    {
        if (task is null)
        {
            return;
        }

        try
        {
            await task.ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Only waited for; the caller reports its own error.
        }
    }

    /// <summary>Creates the jobs in order, each one's id in <paramref name="ids"/> (so a caller can undo those created before an error).</summary>
    private void CreateJobs(IReadOnlyList<TaskEnvelope> envelopes, EnqueueCommitHook.Enqueue? enqueue, string?[] ids)
    {
        try
        {
            var client = GetClient();
            var now = Time.GetUtcNow();
            for (var i = 0; i < ids.Length; i++)
            {
                if (enqueue is not null)
                {
                    enqueue.Index = i;
                }

                ids[i] = CreateJob(client, envelopes[i], now);
            }
        }
        catch (Exception ex) when (ex is not TaskException)
        {
            throw new TaskBackendUnavailableException(Alias, "enqueue", ex);
        }
    }

    private string CreateJob(BackgroundJobClient client, TaskEnvelope e, DateTimeOffset now)
    {
        var queue = HangfireQueueNames.ToHangfireQueue(_options.QueuePrefix, e.Queue, HangfireQueueNames.GetBand(e.Priority));

        // Four plain strings: the dashboard shows the task name (display name), the task id (which finds the job), its
        // JSON arguments and the envelope.
        var job = new Job(typeof(TasksJob), TasksJob.RunMethod, [e.TaskName, e.Id, e.Arguments, TasksJobPayload.Envelope(e)], queue);
        IState state = e.RunAfter is { } at && at > now ? new ScheduledState(ScheduleTime(at)) : new EnqueuedState(queue);
        return client.Create(job, state) ?? throw new InvalidOperationException("Hangfire did not create the job: a client filter cancelled it.");
    }

    /// <summary>Undoes an enqueue that failed: its jobs are deleted and nothing of its tasks stays readable.</summary>
    private async Task ForgetAsync(IReadOnlyList<TaskResult> results, string?[] jobIds)
    {
        DeleteJobs(jobIds);
        try
        {
            await _store.DeleteAsync(results.Select(r => r.Id).ToArray(), CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // The storage is likely down; the caller sees the original error.
        }
    }

    /// <summary>Moves the jobs to Deleted with <see cref="HangfireJobResult.EnqueueUndoneReason"/>, which reads as no task.</summary>
    private void DeleteJobs(string?[] jobIds)
    {
        foreach (var id in jobIds.OfType<string>())
        {
            try
            {
                _client?.ChangeState(id, new DeletedState { Reason = HangfireJobResult.EnqueueUndoneReason });
            }
            catch (Exception)
            {
                // Best effort: the caller sees the original error.
            }
        }
    }

    private BackgroundJobClient GetClient()
    {
        var client = Volatile.Read(ref _client);
        if (client is not null)
        {
            return client;
        }

        var storage = GetStorage();
        lock (_gate)
        {
            return _client ??= new BackgroundJobClient(storage, _filterProvider);
        }
    }

    private JobStorage GetStorage()
    {
        var storage = Volatile.Read(ref _storage);
        if (storage is not null)
        {
            return storage;
        }

        lock (_gate)
        {
            if (_storage is null)
            {
                try
                {
                    _storage = CreatePostgreSqlStorage(_options);
                }
                catch (Exception ex)
                {
                    // Not cached: the next use tries again.
                    throw new TaskBackendUnavailableException(Alias, "preparing the Hangfire PostgreSQL storage", ex);
                }
            }

            return _storage;
        }
    }

    private static PostgreSqlStorage CreatePostgreSqlStorage(HangfireTaskBackendOptions o)
    {
        var pg = new PostgreSqlStorageOptions
        {
            SchemaName = o.Schema,
            QueuePollInterval = o.QueuePollInterval,
            InvisibilityTimeout = o.InvisibilityTimeout,
            UseSlidingInvisibilityTimeout = true,
            EnableLongPolling = o.EnableLongPolling,
            PrepareSchemaIfNecessary = true,

            // Fail fast and retry on next use (see GetStorage) rather than block a caller for a minute of back-off.
            StartupConnectionMaxRetries = 0,
            AllowDegradedModeWithoutStorage = false,
        };
        o.ConfigurePostgreSql?.Invoke(pg);
        // Finished jobs hold finished tasks' results (a Succeeded state holds the whole result), so they last as long.
        return new PostgreSqlStorage(new NpgsqlConnectionFactory(o.ConnectionString!, pg), pg) { JobExpirationTimeout = o.ResultExpiration };
    }

    private static (HangfireTaskBackendOptions, IHangfireResultStore, JobStorage?, bool, StrongBox<Func<JobStorage>?>) Check(string alias, HangfireTaskBackendOptions options)
    {
        ArgumentException.ThrowIfNullOrEmpty(alias);
        ArgumentNullException.ThrowIfNull(options);
        HangfireQueueNames.ValidatePrefix(options.QueuePrefix, alias);
        if (options.ResultExpiration <= TimeSpan.Zero)
        {
            throw new TaskConfigurationException($"ResultExpiration of Hangfire backend '{alias}' must be positive.");
        }

        if (options.RunningStatusDelay < TimeSpan.Zero)
        {
            throw new TaskConfigurationException($"RunningStatusDelay of Hangfire backend '{alias}' must not be negative.");
        }

        if (options.WorkerCount is < 1)
        {
            throw new TaskConfigurationException($"WorkerCount of Hangfire backend '{alias}' must be at least 1 (or unset to use the worker's Concurrency).");
        }

        if (options.JobStorage is { } existing)
        {
            return (options, new HangfireStorageResultStore(existing, options.ResultExpiration, ResultLockTimeout, alias), existing, false, new());
        }

        switch (options.Storage)
        {
            case HangfireStorageKind.InMemory:
                // InMemory's own cap on expirations (3 h) stays: finished jobs and results live in this process's memory.
                var memory = new InMemoryStorage();
                return (options, new HangfireStorageResultStore(memory, options.ResultExpiration, ResultLockTimeout, alias), memory, true, new());
            case HangfireStorageKind.PostgreSql:
                if (string.IsNullOrWhiteSpace(options.ConnectionString))
                {
                    throw new TaskConfigurationException($"Hangfire backend '{alias}' uses Storage PostgreSql but has no ConnectionString.");
                }

                if (string.IsNullOrEmpty(options.Schema) || options.Schema.Length > 63 || !options.Schema.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
                {
                    throw new TaskConfigurationException($"Schema '{options.Schema}' of Hangfire backend '{alias}' is invalid: use 1 to 63 ASCII letters, digits or '_'.");
                }

                if (options.QueuePollInterval < TimeSpan.FromMilliseconds(50) || options.InvisibilityTimeout <= TimeSpan.Zero)
                {
                    throw new TaskConfigurationException($"Hangfire backend '{alias}': QueuePollInterval must be at least 50 ms and InvisibilityTimeout positive.");
                }

                // The store's task id index is on Hangfire's job table: the store has the backend make its storage first.
                var storageSource = new StrongBox<Func<JobStorage>?>();
                var store = new PostgreSqlResultStore(options.ConnectionString, options.Schema, options.ResultExpiration, TimeProvider.System, alias, () => _ = storageSource.Value?.Invoke(), options.RunningStatusDelay);
                return (options, store, null, true, storageSource);
            default:
                throw new TaskConfigurationException($"Hangfire backend '{alias}' has unknown Storage '{options.Storage}'. Use PostgreSql or InMemory.");
        }
    }
}
