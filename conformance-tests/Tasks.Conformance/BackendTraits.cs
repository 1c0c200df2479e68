namespace Tasks.Conformance;

/// <summary>What a fixture declares about its backend beyond <see cref="ITaskBackend.Capabilities"/>; the suite holds it to these.</summary>
public sealed record BackendTraits
{
    /// <summary>Whether every task runs exactly once in normal operation (no crash); if so, the load test requires zero duplicates.</summary>
    public bool ExactlyOnce { get; init; } = true;

    /// <summary>How late after its run-after time a deferred task may start.</summary>
    public TimeSpan RunAfterTolerance { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>How long after its worker is killed a task must be running again elsewhere.</summary>
    public TimeSpan CrashRecoveryTime { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The largest argument payload the suite sends (documented as the backend's tested limit).</summary>
    public int MaxPayloadBytes { get; init; } = 256 * 1024;

    /// <summary>Tasks in the load test.</summary>
    public int LoadTaskCount { get; init; } = 1000;

    /// <summary>Time allowed for the load test.</summary>
    public TimeSpan LoadTimeout { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>Time allowed for one ordinary task to finish.</summary>
    public TimeSpan TaskTimeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>
    /// Why the crash test does not apply, for a backend whose tasks live only in one process (e.g. InMemory: the tasks
    /// die with the process, as documented). <see langword="null"/> means the fixture must provide worker processes.
    /// </summary>
    public string? InProcessOnlyReason { get; init; }
}
