namespace Tasks.Conformance.ConformanceTasks;

/// <summary>Arguments of the record task: a label the probe notes in execution order.</summary>
/// <param name="Label">The label.</param>
public sealed record RecordArgs(string Label);
