using Tasks.Backends;
using Tasks.Workers;

namespace Tasks.Conformance.Tests.Broken;

/// <summary>The InMemory backend with one deliberate defect in how it moves envelopes or keeps results.</summary>
internal sealed class BrokenBackend : TaskBackendBase, ITaskWorkerFactory
{
    private readonly Defect _defect;
    private readonly InMemoryTaskBackend _inner;
    private int _dispatched;

    public BrokenBackend(string alias, Defect defect)
        : this(alias, defect, new BrokenResultStore(defect))
    {
    }

    private BrokenBackend(string alias, Defect defect, ITaskResultStore store)
        : base(alias, store)
    {
        _defect = defect;
        _inner = new InMemoryTaskBackend(alias, store);
    }

    public override TaskBackendCapabilities Capabilities => _inner.Capabilities;

    public override Task DispatchAsync(IReadOnlyList<TaskEnvelope> envelopes, CancellationToken cancellationToken = default) =>
        _inner.DispatchAsync(envelopes.SelectMany(Break).ToArray(), cancellationToken);

    public override async Task<bool> CancelAsync(string id, CancellationToken cancellationToken = default) =>
        _defect == Defect.PretendsToCancel ? (await GetResultAsync(id, cancellationToken)).Status == TaskResultStatus.Ready : await base.CancelAsync(id, cancellationToken);

    public ITaskWorker CreateWorker(TaskWorkerOptions options, IServiceProvider services) => _inner.CreateWorker(options, services);

    private IEnumerable<TaskEnvelope> Break(TaskEnvelope e)
    {
        var n = Interlocked.Increment(ref _dispatched);
        switch (_defect)
        {
            case Defect.IgnoresPriority:
                yield return e with { Priority = 0 };
                break;
            case Defect.RunsDelayedTasksAtOnce:
                yield return e with { RunAfter = null };
                break;
            case Defect.RunsSomeTasksTwice when n % 7 == 0:
                yield return e;
                yield return e;
                break;
            case Defect.LeaksTasksAcrossQueues:
                yield return e with { Queue = "conf_a" };
                break;
            case Defect.LosesSomeTasks when n % 97 == 0:
                break;
            default:
                yield return e;
                break;
        }
    }
}
