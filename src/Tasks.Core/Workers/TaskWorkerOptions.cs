namespace Tasks;

/// <summary>How a worker runs: which backend and queues it serves, how many tasks at once, how it stops.</summary>
public sealed class TaskWorkerOptions
{
    /// <summary>Backend alias; <see langword="null"/> for the default backend.</summary>
    public string? Backend { get; set; }

    /// <summary>Queues to serve. Empty: every queue of the registered tasks plus <c>default</c>.</summary>
    public IList<string> Queues { get; set; } = new List<string>();

    /// <summary>Tasks run at once.</summary>
    public int Concurrency { get; set; } = Environment.ProcessorCount;

    /// <summary>Worker id recorded in results; <see langword="null"/> makes one from host name, process id and a counter.</summary>
    public string? WorkerId { get; set; }

    /// <summary>On stop, how long running tasks may take to finish before they are interrupted and put back.</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Pause after an engine error (e.g. lost connection) before trying again.</summary>
    public TimeSpan ErrorDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>A copy whose lists can be changed without touching this one.</summary>
    public TaskWorkerOptions Clone() => new()
    {
        Backend = Backend,
        Queues = Queues.ToList(),
        Concurrency = Concurrency,
        WorkerId = WorkerId,
        ShutdownTimeout = ShutdownTimeout,
        ErrorDelay = ErrorDelay,
    };
}
