namespace Tasks.Conformance.ConformanceTasks;

/// <summary>Arguments of the failing tasks.</summary>
/// <param name="Message">The exception message.</param>
/// <param name="FailAttempts">Attempts 1..FailAttempts throw; later ones succeed.</param>
public sealed record FailArgs(string Message, int FailAttempts);
