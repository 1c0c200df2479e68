namespace Tasks.Conformance.ConformanceTasks;

/// <summary>Arguments of the sleeping tasks.</summary>
/// <param name="Milliseconds">How long to sleep.</param>
/// <param name="IgnoreCancellation">Sleep through cancellation (a badly behaved handler).</param>
public sealed record SleepArgs(int Milliseconds, bool IgnoreCancellation = false);
