using Tasks.Conformance;

namespace Tasks.Quartz.Tests;

/// <summary>
/// Quartz on the RAMJobStore: all hosts of a test share one backend instance (one scheduler), as parts of one process
/// would; a new one per test.
/// </summary>
public sealed class QuartzRamFixture : TaskBackendFixture
{
    private QuartzTaskBackend _backend = New();

    public override BackendTraits Traits { get; } = new()
    {
        InProcessOnlyReason = "The Quartz RAMJobStore keeps jobs and triggers in the memory of one process; they end with it, as the README says (use the AdoNet job store for recovery).",
    };

    public override void AddBackend(TasksBuilder tasks) => tasks.AddBackend(BackendAlias, (_, _) => new SharedBackend(_backend));

    public override async Task ResetAsync()
    {
        var old = _backend;
        _backend = New();
        await old.DisposeAsync();
    }

    public override Task DisposeAsync() => _backend.DisposeAsync().AsTask();

    private static QuartzTaskBackend New() => new(BackendAlias, new QuartzTaskBackendOptions { JobStore = QuartzJobStoreKind.Ram });

    /// <summary>The shared backend as one host sees it: the fixture owns its lifetime, so a host's disposal leaves it alone.</summary>
    private sealed class SharedBackend(QuartzTaskBackend inner) : IPendingTaskBackend, ITaskWorkerFactory
    {
        public string Alias => inner.Alias;

        public TaskBackendCapabilities Capabilities => inner.Capabilities;

        public IReadOnlyCollection<string>? Queues => inner.Queues;

        public Task<TaskResult> EnqueueAsync(TaskEnvelope envelope, CancellationToken cancellationToken = default) => inner.EnqueueAsync(envelope, cancellationToken);

        public Task<IReadOnlyList<TaskResult>> EnqueueManyAsync(IReadOnlyList<TaskEnvelope> envelopes, CancellationToken cancellationToken = default) => inner.EnqueueManyAsync(envelopes, cancellationToken);

        public Task<TaskResult> GetResultAsync(string id, CancellationToken cancellationToken = default) => inner.GetResultAsync(id, cancellationToken);

        public Task<bool> CancelAsync(string id, CancellationToken cancellationToken = default) => inner.CancelAsync(id, cancellationToken);

        public ITaskWorker CreateWorker(TaskWorkerOptions options, IServiceProvider services) => inner.CreateWorker(options, services);

        public IAsyncEnumerable<TaskEnvelope> ListPendingAsync(string? queue = null, CancellationToken cancellationToken = default) => inner.ListPendingAsync(queue, cancellationToken);

        public Task<bool> RemovePendingAsync(string id, CancellationToken cancellationToken = default) => inner.RemovePendingAsync(id, cancellationToken);
    }
}
