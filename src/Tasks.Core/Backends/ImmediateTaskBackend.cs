using Microsoft.Extensions.DependencyInjection;
using Tasks.Execution;
using Tasks.Workers;

namespace Tasks.Backends;

/// <summary>
/// Runs each task inline, inside <c>EnqueueAsync</c>, through the full pipeline (retries wait their backoff inline)
/// and returns the finished result. No worker, no defer, no cancel. Handy for scripts and tests.
/// </summary>
public sealed class ImmediateTaskBackend : TaskBackendBase
{
    /// <summary>The type name used in configuration.</summary>
    public const string TypeName = "Immediate";

    private readonly IServiceProvider _services;
    private readonly string _workerId = WorkerIds.Create();

    /// <summary>Creates the backend; <paramref name="services"/> supplies the <see cref="TaskExecutor"/>.</summary>
    public ImmediateTaskBackend(string alias, IServiceProvider services, TimeProvider? timeProvider = null)
        : base(alias, new InMemoryTaskResultStore(), timeProvider)
    {
        _services = services;
    }

    /// <summary>Priority is accepted: running inline, each task trivially runs before any later one.</summary>
    public override TaskBackendCapabilities Capabilities => TaskBackendCapabilities.Priority | TaskBackendCapabilities.Results;

    /// <inheritdoc />
    public override async Task<IReadOnlyList<TaskResult>> EnqueueManyAsync(IReadOnlyList<TaskEnvelope> envelopes, CancellationToken cancellationToken = default)
    {
        var ready = await base.EnqueueManyAsync(envelopes, cancellationToken).ConfigureAwait(false);
        var finished = new TaskResult[ready.Count];
        for (var i = 0; i < finished.Length; i++)
        {
            finished[i] = await Results.FindAsync(ready[i].Id, cancellationToken).ConfigureAwait(false) ?? ready[i];
        }

        return finished;
    }

    /// <inheritdoc />
    public override async Task DispatchAsync(IReadOnlyList<TaskEnvelope> envelopes, CancellationToken cancellationToken = default)
    {
        var executor = _services.GetRequiredService<TaskExecutor>();
        var context = new TaskExecutionContext(Alias, _workerId, Results);
        foreach (var first in envelopes)
        {
            var envelope = first;
            while (true)
            {
                var outcome = await executor.ExecuteAsync(envelope, context, cancellationToken).ConfigureAwait(false);
                if (outcome.Disposition == TaskExecutionDisposition.Abandoned)
                {
                    // The caller cancelled mid-run: no worker will ever pick the task up, so fail the enqueue
                    // (the base class then removes the Ready record) rather than return a task that never runs.
                    cancellationToken.ThrowIfCancellationRequested();
                }

                if (outcome.Disposition != TaskExecutionDisposition.Retry)
                {
                    break;
                }

                envelope = outcome.Retry!;
                var wait = envelope.RunAfter!.Value - Time.GetUtcNow();
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, Time, cancellationToken).ConfigureAwait(false);
                }
            }
        }
    }
}
