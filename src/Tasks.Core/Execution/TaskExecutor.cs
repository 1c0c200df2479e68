using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Tasks.Diagnostics;

namespace Tasks.Execution;

/// <summary>
/// The one execution pipeline every adapter uses: finds the definition, reads the arguments, records the attempt,
/// runs the handler in a DI scope with its timeout, records success or failure, decides on retries, and emits logs,
/// spans, metrics and observer events. Adapters only move envelopes and act on the returned disposition.
/// </summary>
public sealed class TaskExecutor
{
    /// <summary>Extra runs allowed for attempts lost with their worker beyond <see cref="TaskResult.MaxAttempts"/>, so a task that kills its worker cannot loop for ever.</summary>
    public const int MaxLostAttempts = 3;

    private readonly TaskRegistry _registry;
    private readonly ITaskSerializer _serializer;
    private readonly IServiceScopeFactory _scopes;
    private readonly TasksInstrumentation _instrumentation;
    private readonly TaskObservers _observers;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;

    internal TaskExecutor(TaskRegistry registry, ITaskSerializer serializer, IServiceScopeFactory scopes, TasksInstrumentation instrumentation, TaskObservers observers, ILogger<TaskExecutor> logger, TimeProvider time)
    {
        _registry = registry;
        _serializer = serializer;
        _scopes = scopes;
        _instrumentation = instrumentation;
        _observers = observers;
        _logger = logger;
        _time = time;
    }

    /// <summary>Runs one delivery of <paramref name="envelope"/>.</summary>
    /// <param name="envelope">The delivered envelope.</param>
    /// <param name="context">The backend, worker and result store.</param>
    /// <param name="cancellationToken">Signalled when the worker must stop at once; the attempt is then abandoned, not failed.</param>
    public Task<TaskExecutionOutcome> ExecuteAsync(TaskEnvelope envelope, TaskExecutionContext context, CancellationToken cancellationToken) =>
        ExecuteAsync(envelope, context, asEnqueued: null, cancellationToken);

    /// <summary>
    /// Runs one delivery of <paramref name="envelope"/> that is probably its task's first, saving the read of the result
    /// before the attempt is recorded. <paramref name="asEnqueued"/> is the result exactly as the enqueue stored it
    /// (<see cref="TaskResult.ForEnqueued"/> of this envelope, with the engine id if the adapter stores one, version 0).
    /// The attempt is recorded with a compare-and-set on that version; if the stored result is not that one any more
    /// (cancelled, started by a worker that died, retried, removed), the set fails and the delivery is decided on the
    /// result read from the store, exactly as <see cref="ExecuteAsync(TaskEnvelope, TaskExecutionContext, CancellationToken)"/>
    /// does. A wrong guess therefore costs one round trip and changes nothing.
    /// </summary>
    /// <param name="envelope">The delivered envelope.</param>
    /// <param name="context">The backend, worker and result store.</param>
    /// <param name="asEnqueued">The result as enqueued, or <see langword="null"/> to read it first.</param>
    /// <param name="cancellationToken">Signalled when the worker must stop at once; the attempt is then abandoned, not failed.</param>
    public async Task<TaskExecutionOutcome> ExecuteAsync(TaskEnvelope envelope, TaskExecutionContext context, TaskResult? asEnqueued, CancellationToken cancellationToken)
    {
        ActivityContext.TryParse(envelope.TraceParent, envelope.TraceState, isRemote: true, out var parent);
        using var activity = _instrumentation.ActivitySource.StartActivity($"execute {envelope.TaskName}", ActivityKind.Consumer, parent);
        activity?.SetTag("task.id", envelope.Id);
        activity?.SetTag("task.name", envelope.TaskName);
        activity?.SetTag("task.queue", envelope.Queue);
        activity?.SetTag("task.backend", context.Backend);

        var store = context.Results;

        // Only a never-started record can stand in for the stored one: anything else needs the store's own word.
        var assumed = asEnqueued is { Status: TaskResultStatus.Ready, Attempts: 0 } && asEnqueued.Id == envelope.Id ? asEnqueued : null;
        TaskResult running;
        TaskDefinition definition;
        object? args;
        int attempt;
        while (true)
        {
            var current = assumed ?? await store.FindAsync(envelope.Id, cancellationToken).ConfigureAwait(false);
            if (current is null)
            {
                // The engine delivered a task we hold no record of (expired or written by another tool): keep it visible.
                current = TaskResult.ForEnqueued(envelope, context.Backend);
                await store.CreateAsync([current], cancellationToken).ConfigureAwait(false);
            }

            if (current.IsFinished)
            {
                TasksLog.Skipped(_logger, envelope.Id, current.Status);
                return new TaskExecutionOutcome(TaskExecutionDisposition.Skipped, current);
            }

            var now = _time.GetUtcNow();
            if (current.Status == TaskResultStatus.Running)
            {
                // Still Running on a new delivery: the worker of that attempt died without recording anything.
                TasksLog.LostAttempt(_logger, envelope.Id, current.Attempts);
                var lost = new TaskError(current.Attempts, "Tasks.WorkerLost", $"The worker running attempt {current.Attempts} stopped without finishing it (killed or crashed).", null, now);
                current = current with { Errors = [.. current.Errors, lost] };
                if (current.Attempts >= current.MaxAttempts + MaxLostAttempts)
                {
                    return await FailAsync(envelope, current, current.Version, new TaskException($"Task '{envelope.TaskName}' lost its worker {current.Attempts} times; giving up."), context).ConfigureAwait(false);
                }
            }

            if (!_registry.TryGet(envelope.TaskName, out var found))
            {
                if (assumed is not null)
                {
                    // Failing is recorded against the stored result, so read it first.
                    assumed = null;
                    continue;
                }

                return await FailAsync(envelope, current, current.Version, new UnknownTaskException(envelope.TaskName, "this worker does not know it"), context).ConfigureAwait(false);
            }

            definition = found;
            try
            {
                args = _serializer.Deserialize(envelope.Arguments, definition.ArgumentsType);
            }
            catch (Exception ex)
            {
                if (assumed is not null)
                {
                    assumed = null;
                    continue;
                }

                var error = new TaskPayloadException($"The arguments of task '{envelope.TaskName}' cannot be read as {definition.ArgumentsType.FullName}: {ex.Message}", ex);
                return await FailAsync(envelope, current, current.Version, error, context).ConfigureAwait(false);
            }

            attempt = current.Attempts + 1;
            running = current with
            {
                Status = TaskResultStatus.Running,
                Attempts = attempt,
                StartedAt = current.StartedAt ?? now,
                LastAttemptedAt = now,
                WorkerIds = [.. current.WorkerIds, context.WorkerId],
                Version = current.Version + 1,
            };
            if (await store.TryUpdateAsync(running, current.Version, cancellationToken).ConfigureAwait(false))
            {
                break;
            }

            if (assumed is not null)
            {
                // Not the record the enqueue wrote any more: decide on what the store holds.
                assumed = null;
                continue;
            }

            // Cancelled, or another delivery of the same task started first.
            var latest = await store.FindAsync(envelope.Id, cancellationToken).ConfigureAwait(false);
            TasksLog.Skipped(_logger, envelope.Id, latest?.Status ?? TaskResultStatus.Cancelled);
            return new TaskExecutionOutcome(TaskExecutionDisposition.Skipped, latest);
        }

        var tags = new TagList { { "task.name", envelope.TaskName }, { "task.queue", envelope.Queue }, { "task.backend", context.Backend } };
        _instrumentation.Started.Add(1, tags);
        TasksLog.Started(_logger, envelope.TaskName, envelope.Id, attempt, context.WorkerId);
        await _observers.StartedAsync(running, cancellationToken).ConfigureAwait(false);

        var started = Stopwatch.GetTimestamp();
        using var timeout = definition.Timeout is { } limit ? new CancellationTokenSource(limit, _time) : null;
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout?.Token ?? CancellationToken.None);
        Exception? failure;
        TaskResult? succeeded = null;
        var elapsedMs = 0d;
        try
        {
            await using var scope = _scopes.CreateAsyncScope();
            var taskContext = new TaskContext(envelope.Id, envelope.TaskName, attempt, definition.MaxAttempts, context.Backend, envelope.Queue, context.WorkerId, scope.ServiceProvider, linked.Token);
            var work = definition.Invoker.InvokeAsync(scope.ServiceProvider, args, taskContext, linked.Token);

            // WaitAsync: the timeout holds even for a handler that ignores its token.
            object? value;
            try
            {
                value = await work.WaitAsync(linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!work.IsCompleted)
            {
                _ = work.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
                throw;
            }

            var returnJson = definition.ResultType is null ? null : _serializer.Serialize(value, definition.ResultType);
            var elapsed = Stopwatch.GetElapsedTime(started);
            _instrumentation.Duration.Record(elapsed.TotalSeconds, tags);
            elapsedMs = elapsed.TotalMilliseconds;
            succeeded = running with
            {
                Status = TaskResultStatus.Succeeded,
                ReturnValue = returnJson,
                FinishedAt = _time.GetUtcNow(),
                Version = running.Version + 1,
            };
            failure = null;
        }
        catch (Exception) when (cancellationToken.IsCancellationRequested)
        {
            // The worker is stopping: this is not the task's fault, so it goes back to its queue unharmed.
            TasksLog.Abandoned(_logger, envelope.TaskName, envelope.Id, attempt);
            var ready = running with { Status = TaskResultStatus.Ready, Attempts = attempt - 1, Version = running.Version + 1 };
            await store.TryUpdateAsync(ready, running.Version, CancellationToken.None).ConfigureAwait(false);
            return new TaskExecutionOutcome(TaskExecutionDisposition.Abandoned, ready);
        }
        catch (OperationCanceledException) when (timeout?.IsCancellationRequested == true)
        {
            failure = new TaskTimeoutException(envelope.TaskName, definition.Timeout!.Value);
        }
        catch (Exception ex)
        {
            failure = ex;
        }

        if (failure is null)
        {
            // Recorded outside the handler's try (which ends with succeeded set unless a catch set failure): a store that
            // fails here is not the task failing. The error goes to the adapter, which leaves or puts the delivery back, as
            // for any other write the store refuses.
            var done = succeeded!;
            if (!await store.TryUpdateAsync(done, running.Version, CancellationToken.None).ConfigureAwait(false))
            {
                TasksLog.LostUpdate(_logger, envelope.Id);
                return new TaskExecutionOutcome(TaskExecutionDisposition.Skipped, done);
            }

            _instrumentation.Succeeded.Add(1, tags);
            TasksLog.Succeeded(_logger, envelope.TaskName, envelope.Id, elapsedMs);
            activity?.SetStatus(ActivityStatusCode.Ok);
            await _observers.FinishedAsync(done, CancellationToken.None).ConfigureAwait(false);
            return new TaskExecutionOutcome(TaskExecutionDisposition.Completed, done);
        }

        _instrumentation.Duration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, tags);
        activity?.SetStatus(ActivityStatusCode.Error, failure.Message);
        activity?.AddTag("exception.type", failure.GetType().FullName);
        if (attempt < definition.MaxAttempts)
        {
            var retryAt = _time.GetUtcNow() + definition.Backoff.GetDelay(attempt);
            var ready = running with
            {
                Status = TaskResultStatus.Ready,
                RunAfter = retryAt,
                Errors = [.. running.Errors, TaskError.From(attempt, failure, _time.GetUtcNow())],
                Version = running.Version + 1,
            };
            if (!await store.TryUpdateAsync(ready, running.Version, CancellationToken.None).ConfigureAwait(false))
            {
                TasksLog.LostUpdate(_logger, envelope.Id);
                return new TaskExecutionOutcome(TaskExecutionDisposition.Skipped, ready);
            }

            _instrumentation.Retried.Add(1, tags);
            TasksLog.Retrying(_logger, failure, envelope.TaskName, envelope.Id, attempt, retryAt);
            return new TaskExecutionOutcome(TaskExecutionDisposition.Retry, ready, envelope with { Attempt = attempt + 1, RunAfter = retryAt });
        }

        return await FailAsync(envelope, running, running.Version, failure, context).ConfigureAwait(false);
    }

    private async Task<TaskExecutionOutcome> FailAsync(TaskEnvelope envelope, TaskResult current, long expectedVersion, Exception error, TaskExecutionContext context)
    {
        var now = _time.GetUtcNow();
        var attempt = Math.Max(current.Attempts, 1);
        var failed = current with
        {
            Status = TaskResultStatus.Failed,
            Errors = [.. current.Errors, TaskError.From(attempt, error, now)],
            FinishedAt = now,
            Version = expectedVersion + 1,
        };
        if (!await context.Results.TryUpdateAsync(failed, expectedVersion, CancellationToken.None).ConfigureAwait(false))
        {
            TasksLog.LostUpdate(_logger, envelope.Id);
            return new TaskExecutionOutcome(TaskExecutionDisposition.Skipped, failed);
        }

        _instrumentation.Failed.Add(1, new TagList { { "task.name", envelope.TaskName }, { "task.queue", envelope.Queue }, { "task.backend", context.Backend } });
        TasksLog.Failed(_logger, error, envelope.TaskName, envelope.Id, attempt);
        await _observers.FinishedAsync(failed, CancellationToken.None).ConfigureAwait(false);
        return new TaskExecutionOutcome(TaskExecutionDisposition.Completed, failed);
    }
}
