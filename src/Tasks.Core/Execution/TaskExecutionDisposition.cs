namespace Tasks.Execution;

/// <summary>What the adapter must do with the delivery after <see cref="TaskExecutor"/>.</summary>
public enum TaskExecutionDisposition
{
    /// <summary>Final status recorded: acknowledge (remove) the delivery.</summary>
    Completed,

    /// <summary>The attempt failed and another is due: dispatch <see cref="TaskExecutionOutcome.Retry"/>, then acknowledge.</summary>
    Retry,

    /// <summary>Nothing ran (cancelled, already finished or taken by another delivery): acknowledge.</summary>
    Skipped,

    /// <summary>The worker is stopping and the attempt was interrupted: put the delivery back at once.</summary>
    Abandoned,
}
