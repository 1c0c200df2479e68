namespace Tasks;

/// <summary>What a backend can honour. An option needing a capability the backend lacks is refused with <see cref="TaskNotSupportedException"/>.</summary>
[Flags]
public enum TaskBackendCapabilities
{
    /// <summary>Nothing beyond enqueue.</summary>
    None = 0,

    /// <summary>Run-after: a task can wait for a future instant.</summary>
    Defer = 1,

    /// <summary>Priority: a backlog runs highest priority first.</summary>
    Priority = 2,

    /// <summary>Results and status can be read back by task id.</summary>
    Results = 4,

    /// <summary>A task that has not started can be cancelled.</summary>
    Cancel = 8,

    /// <summary>Bulk enqueue in one round trip.</summary>
    BulkEnqueue = 16,

    /// <summary>Tasks run in the background on workers (not inline at enqueue).</summary>
    Background = 32,

    /// <summary>Not-yet-started tasks can be listed and removed (used to move work between engines).</summary>
    ListPending = 64,

    /// <summary>Everything above.</summary>
    All = Defer | Priority | Results | Cancel | BulkEnqueue | Background | ListPending,
}
