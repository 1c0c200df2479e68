using System.Runtime.CompilerServices;
using Hangfire;
using Hangfire.Common;
using Hangfire.States;
using Hangfire.Storage;

namespace Tasks.Hangfire.Internal;

/// <summary>
/// Lists and removes the Tasks jobs that have not started: Hangfire jobs of <see cref="TasksJob"/> in the Scheduled
/// state (run-after tasks and retries) or in the Enqueued state on a Tasks queue, whose result is still Ready. Reads
/// Hangfire's monitoring API page by page (the same on every storage; Hangfire.PostgreSql answers a page of enqueued
/// jobs with two queries, a page of scheduled jobs with one) plus one result read per page.
/// </summary>
internal sealed class HangfirePendingTasks(Func<JobStorage> storage, Func<IBackgroundJobClient> client, IHangfireResultStore store, string prefix, TimeProvider time)
{
    /// <summary>Jobs per monitoring read.</summary>
    internal const int PageSize = 500;

    /// <summary>Jobs each read repeats from the previous one, so jobs leaving the list meanwhile shift nothing out of view.</summary>
    internal const int PageOverlap = 50;

    internal const string RemovedReason = HangfireJobResult.RemovedReason;

    public async IAsyncEnumerable<TaskEnvelope> ListAsync(string? queue, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var monitoring = storage().GetMonitoringApi();
        var listed = new HashSet<string>(StringComparer.Ordinal);

        // Scheduled first: a job the scheduler moves to its queue meanwhile is then still found in the queue.
        var scheduled = ShiftTolerantPager.Pages(
            (from, count) => monitoring.ScheduledJobs(from, count).Select(j => Candidate(j.Key, j.Value is { InScheduledState: true } ? j.Value.Job : null)).ToList(),
            PageSize,
            PageOverlap,
            monitoring.ScheduledCount());
        await foreach (var e in ReadAsync(scheduled, queue, listed, cancellationToken).ConfigureAwait(false))
        {
            yield return e;
        }

        foreach (var hangfireQueue in HangfireQueues(monitoring, queue))
        {
            var enqueued = ShiftTolerantPager.Pages(
                (from, count) => monitoring.EnqueuedJobs(hangfireQueue, from, count).Select(j => Candidate(j.Key, j.Value is { InEnqueuedState: true } ? j.Value.Job : null)).ToList(),
                PageSize,
                PageOverlap,
                monitoring.EnqueuedCount(hangfireQueue));
            await foreach (var e in ReadAsync(enqueued, queue, listed, cancellationToken).ConfigureAwait(false))
            {
                yield return e;
            }
        }
    }

    /// <summary>
    /// Removes a task that has not started. Where the status is read from the jobs, moving the job to Deleted from
    /// Enqueued or Scheduled is the removal: Hangfire moves a job to Processing only from Enqueued, under the same per-job
    /// lock, so a job deleted here never runs; the job stays (Deleted, read as no task) and the task's row is deleted.
    /// Otherwise the result is first compare-and-set Ready → Cancelled (so no worker can start it any more), then the job
    /// deleted and the result removed; a job a worker already fetched keeps the Cancelled result, which makes the worker
    /// skip it.
    /// </summary>
    public async Task<bool> RemoveAsync(string id, CancellationToken cancellationToken)
    {
        var current = await store.FindAsync(id, cancellationToken).ConfigureAwait(false);
        if (store.StatusFromJobs)
        {
            if (current is not { Status: TaskResultStatus.Ready, EngineId: { } job } || !DeleteIfNotStarted(job, RemovedReason))
            {
                return false;
            }

            await store.ForgetRemovedAsync(id, job, CancellationToken.None).ConfigureAwait(false);
            return true;
        }

        for (var tries = 0; ; tries++)
        {
            if (current is not { Status: TaskResultStatus.Ready })
            {
                return false;
            }

            var removed = current with { Status = TaskResultStatus.Cancelled, FinishedAt = time.GetUtcNow(), Version = current.Version + 1 };
            if (await store.TryUpdateAsync(removed, current.Version, cancellationToken).ConfigureAwait(false))
            {
                break;
            }

            if (tries == 2)
            {
                return false;
            }

            // Another writer won; if the task is still Ready (e.g. an attempt handed back at shutdown), try again.
            current = await store.FindAsync(id, cancellationToken).ConfigureAwait(false);
        }

        if (current.EngineId is { } jobId && DeleteIfNotStarted(jobId, RemovedReason))
        {
            await store.ForgetRemovedAsync(id, jobId, CancellationToken.None).ConfigureAwait(false);
        }

        return true;
    }

    /// <summary>Moves a job to Deleted if it is Enqueued or Scheduled; whether it did (a job that started is left alone).</summary>
    public bool DeleteIfNotStarted(string jobId, string reason)
    {
        var hangfire = client();

        // Two rounds: the scheduler may move the job from Scheduled to Enqueued between the two attempts of one.
        for (var round = 0; round < 2; round++)
        {
            foreach (var from in (string[])[EnqueuedState.StateName, ScheduledState.StateName])
            {
                if (hangfire.ChangeState(jobId, new DeletedState { Reason = reason }, from))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>A listed job, with its <see cref="Job"/> only if it is in the state of the list (the pager counts every listed job).</summary>
    private static KeyValuePair<string, Job?> Candidate(string jobId, Job? job) => new(jobId, job);

    private async IAsyncEnumerable<TaskEnvelope> ReadAsync(IEnumerable<IReadOnlyList<KeyValuePair<string, Job?>>> pages, string? queue, HashSet<string> listed, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var page in pages)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var jobs = new List<(string JobId, string Name, string Arguments, TaskEnvelope Meta)>(page.Count);
            foreach (var (jobId, job) in page)
            {
                if (TryRead(job, queue, out var name, out var arguments, out var meta) && !listed.Contains(meta.Id))
                {
                    jobs.Add((jobId, name, arguments, meta));
                }
            }

            if (jobs.Count == 0)
            {
                continue;
            }

            var results = await store.FindManyAsync(jobs.Select(j => j.Meta.Id).Distinct().ToArray(), cancellationToken).ConfigureAwait(false);
            foreach (var (_, name, arguments, meta) in jobs)
            {
                // Not Ready: started, finished or cancelled (its job is skipped when fetched). No result: mid-enqueue or expired.
                if (!results.TryGetValue(meta.Id, out var result) || result.Status != TaskResultStatus.Ready || !listed.Add(meta.Id))
                {
                    continue;
                }

                // The job keeps what the result does not: its trace context (and its own copy of name and arguments).
                yield return TaskEnvelope.ForNextAttempt(result) with
                {
                    TaskName = name,
                    Arguments = arguments,
                    TraceParent = meta.TraceParent,
                    TraceState = meta.TraceState,
                };
            }
        }
    }

    /// <summary>A Tasks job on one of this backend's queues (and of <paramref name="queue"/> when given): its task name, arguments and envelope.</summary>
    private bool TryRead(Job? job, string? queue, out string name, out string arguments, out TaskEnvelope meta)
    {
        name = arguments = string.Empty;
        meta = null!;
        if (job is null || job.Type != typeof(TasksJob) || job.Args.Count < 4 ||
            job.Args[0] is not string n || job.Args[1] is not string id || job.Args[2] is not string a || job.Args[3] is not string m ||
            !HangfireQueueNames.TryParse(prefix, job.Queue, out var taskQueue, out _) || (queue is not null && taskQueue != queue))
        {
            return false;
        }

        try
        {
            meta = TasksJobPayload.ReadEnvelope(n, id, a, m);
        }
        catch (TaskPayloadException)
        {
            return false; // not a task envelope: the job fails visibly when a worker gets it
        }

        (name, arguments) = (n, a);
        return true;
    }

    /// <summary>The Hangfire queues of <paramref name="queue"/>, or every Tasks queue of this prefix that has jobs.</summary>
    private IEnumerable<string> HangfireQueues(IMonitoringApi monitoring, string? queue) =>
        queue is not null
            ? HangfireQueueNames.ListenOrder(prefix, [queue])
            : monitoring.Queues().Select(q => q.Name).Where(n => HangfireQueueNames.TryParse(prefix, n, out _, out _)).ToArray();
}
