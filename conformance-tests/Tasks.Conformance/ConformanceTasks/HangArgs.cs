namespace Tasks.Conformance.ConformanceTasks;

/// <summary>Arguments of the hang-on-first-attempt task used by the crash test.</summary>
/// <param name="Label">A label.</param>
public sealed record HangArgs(string Label);
