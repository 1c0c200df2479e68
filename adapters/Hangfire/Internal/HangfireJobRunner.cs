using Hangfire;
using Hangfire.States;
using Microsoft.Extensions.Logging;
using Tasks.Execution;

namespace Tasks.Hangfire.Internal;

/// <summary>
/// Runs a delivered Hangfire job through the shared <see cref="TaskExecutor"/> and maps its disposition onto
/// Hangfire states: success or skip returns (Succeeded; where the store reads results from the jobs, a success returns
/// the task's result, which Hangfire keeps in the Succeeded state); a retry moves this same job to Scheduled at the
/// backoff time; a final failure throws so the dashboard lists it as Failed; an interrupted attempt moves the job back to
/// Enqueued (where the status is read from the jobs) or throws the shutdown cancellation so Hangfire puts it back in its
/// queue.
/// </summary>
internal sealed class HangfireJobRunner(TaskExecutor executor, string backend, string workerId, IHangfireResultStore store, RecoveredJobs recovered, IBackgroundJobClient client, ILogger logger, TimeProvider time)
{
    /// <summary>The reason of the Enqueued state of a job whose attempt was handed back at shutdown.</summary>
    internal const string HandedBackReason = "Tasks: the worker stopped during the attempt; the task goes back to its queue";

    /// <summary>Pause before a job that hit a storage error runs again.</summary>
    internal static readonly TimeSpan InfrastructureRetryDelay = TimeSpan.FromSeconds(5);

    public string WorkerId => workerId;

    public async Task<string?> RunAsync(string jobId, string taskName, string taskId, string arguments, string envelopeJson, CancellationToken cancellationToken)
    {
        TaskEnvelope envelope;
        try
        {
            envelope = TasksJobPayload.ReadEnvelope(taskName, taskId, arguments, envelopeJson);
        }
        catch (TaskPayloadException ex)
        {
            // Without an envelope there is no task id to record anything against: let Hangfire show the failure.
            HangfireLog.BadEnvelope(logger, ex, jobId);
            throw;
        }

        TaskExecutionOutcome outcome;
        try
        {
            var (results, asEnqueued) = store.ForRun(envelope, jobId, recovered.TryTake(jobId), ex => HangfireLog.RunningWriteFailed(logger, ex, backend, envelope.Id));
            outcome = await executor.ExecuteAsync(envelope, new TaskExecutionContext(backend, workerId, results), asEnqueued, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!(ex is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            // The result store failed (not the task): run the job again later instead of failing it for good.
            var at = time.GetUtcNow() + InfrastructureRetryDelay;
            HangfireLog.Rescheduled(logger, ex, jobId, taskName, at);
            if (!Reschedule(jobId, at, $"Tasks: storage error, the task runs again: {ex.Message}"))
            {
                throw;
            }

            return null;
        }

        switch (outcome.Disposition)
        {
            case TaskExecutionDisposition.Retry:
                var retry = outcome.Retry!;
                var last = outcome.Result?.Errors.LastOrDefault();
                Reschedule(jobId, retry.RunAfter ?? time.GetUtcNow(), $"Tasks retry: attempt {retry.Attempt} of {retry.MaxAttempts} after {last?.ExceptionType}: {last?.Message}");
                return null;
            case TaskExecutionDisposition.Abandoned:
                // Where the job's state is the task's status, the job goes back to Enqueued itself (Hangfire's own requeue
                // at shutdown would leave it Processing, read as Running, until a worker takes it again).
                if (store.StatusFromJobs && client.ChangeState(jobId, new EnqueuedState { Reason = HandedBackReason }, ProcessingState.StateName))
                {
                    return null;
                }

                // Hangfire re-queues a job whose method ends with the shutdown token's cancellation.
                throw new OperationCanceledException("The worker stopped during the attempt; the task goes back to its queue.", cancellationToken);
            case TaskExecutionDisposition.Completed when outcome.Result is { Status: TaskResultStatus.Failed } failed:
                throw new HangfireTaskFailedException(failed);
            case TaskExecutionDisposition.Completed when outcome.Result is { Status: TaskResultStatus.Succeeded } succeeded && store.StatusFromJobs:
                return TasksJobPayload.Result(succeeded);
            default:
                return null;
        }
    }

    /// <summary>Moves this job (still Processing) to Scheduled; Hangfire then ignores the Succeeded state the worker proposes after the method returns.</summary>
    private bool Reschedule(string jobId, DateTimeOffset at, string reason) =>
        client.ChangeState(jobId, new ScheduledState(HangfireTaskBackend.ScheduleTime(at)) { Reason = reason }, ProcessingState.StateName);
}
