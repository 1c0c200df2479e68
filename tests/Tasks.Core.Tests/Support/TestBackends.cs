using System.Collections.Concurrent;
using Tasks.Backends;

namespace Tasks.Core.Tests.Support;

/// <summary>A minimal backend that stores envelopes and serves only the queues it lists.</summary>
public sealed class ListedQueuesBackend(string alias, params string[] queues) : TaskBackendBase(alias, new InMemoryTaskResultStore())
{
    public ConcurrentQueue<TaskEnvelope> Dispatched { get; } = new();

    public override TaskBackendCapabilities Capabilities => TaskBackendCapabilities.All;

    public override IReadOnlyCollection<string>? Queues => queues;

    public override Task DispatchAsync(IReadOnlyList<TaskEnvelope> envelopes, CancellationToken cancellationToken = default)
    {
        foreach (var e in envelopes)
        {
            Dispatched.Enqueue(e);
        }

        return Task.CompletedTask;
    }
}

/// <summary>A minimal backend with every capability except those in <c>missing</c>.</summary>
public sealed class LimitedBackend(string alias, TaskBackendCapabilities missing) : TaskBackendBase(alias, new InMemoryTaskResultStore())
{
    public ConcurrentQueue<TaskEnvelope> Dispatched { get; } = new();

    public override TaskBackendCapabilities Capabilities => TaskBackendCapabilities.All & ~missing;

    public override Task DispatchAsync(IReadOnlyList<TaskEnvelope> envelopes, CancellationToken cancellationToken = default)
    {
        foreach (var e in envelopes)
        {
            Dispatched.Enqueue(e);
        }

        return Task.CompletedTask;
    }
}
