namespace Tasks.Backends;

/// <summary>
/// Stores what is enqueued and never runs it (Django's "dummy" backend): the way an application tests its own
/// enqueuing code without a server. Inspect <see cref="Enqueued"/>, then <see cref="Clear"/>.
/// </summary>
public sealed class RecordingTaskBackend : TaskBackendBase
{
    /// <summary>The type name used in configuration.</summary>
    public const string TypeName = "Recording";

    private readonly object _gate = new();
    private readonly List<TaskEnvelope> _enqueued = [];

    /// <summary>Creates the backend.</summary>
    public RecordingTaskBackend(string alias, TimeProvider? timeProvider = null)
        : base(alias, new InMemoryTaskResultStore(), timeProvider)
    {
    }

    /// <summary>Accepts every option (so code under test can use them all); nothing ever runs.</summary>
    public override TaskBackendCapabilities Capabilities =>
        TaskBackendCapabilities.Defer | TaskBackendCapabilities.Priority | TaskBackendCapabilities.Results |
        TaskBackendCapabilities.Cancel | TaskBackendCapabilities.BulkEnqueue;

    /// <summary>Every envelope enqueued since the last <see cref="Clear"/>, in order.</summary>
    public IReadOnlyList<TaskEnvelope> Enqueued
    {
        get
        {
            lock (_gate)
            {
                return _enqueued.ToArray();
            }
        }
    }

    /// <summary>The envelopes of one task name.</summary>
    public IReadOnlyList<TaskEnvelope> EnqueuedOf(string taskName) => Enqueued.Where(e => e.TaskName == taskName).ToArray();

    /// <summary>Forgets everything enqueued and every result.</summary>
    public void Clear()
    {
        lock (_gate)
        {
            _enqueued.Clear();
            ((InMemoryTaskResultStore)Results).Clear();
        }
    }

    /// <inheritdoc />
    public override Task DispatchAsync(IReadOnlyList<TaskEnvelope> envelopes, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            _enqueued.AddRange(envelopes);
        }

        return Task.CompletedTask;
    }
}
