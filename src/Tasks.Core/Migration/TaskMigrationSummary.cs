namespace Tasks.Migration;

/// <summary>What a migration did.</summary>
public sealed record TaskMigrationSummary
{
    /// <summary>Pending tasks found in the source.</summary>
    public int Found { get; init; }

    /// <summary>Tasks enqueued into the target and removed from the source.</summary>
    public int Moved { get; init; }

    /// <summary>Tasks a previous, interrupted run had already put into the target; now removed from the source.</summary>
    public int AlreadyInTarget { get; init; }

    /// <summary>Tasks that started or finished in the source while the migration ran; left alone there.</summary>
    public int StartedMeanwhile { get; init; }

    /// <summary>Tasks the target refused (e.g. an option it cannot honour), with the reason; they stay in the source.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Refused { get; init; } = [];

    /// <summary>Whether this was a dry run (nothing changed).</summary>
    public bool DryRun { get; init; }

    /// <summary>Counts of the pending tasks found, per queue.</summary>
    public IReadOnlyDictionary<string, int> FoundPerQueue { get; init; } = new Dictionary<string, int>();
}
