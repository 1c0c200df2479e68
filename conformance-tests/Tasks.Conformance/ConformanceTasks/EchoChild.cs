namespace Tasks.Conformance.ConformanceTasks;

/// <summary>A nested object of <see cref="EchoPayload"/>.</summary>
/// <param name="Name">A name.</param>
/// <param name="Tags">A list that may be empty.</param>
/// <param name="Parent">A self-typed nested object that may be null.</param>
public sealed record EchoChild(string Name, IReadOnlyList<string> Tags, EchoChild? Parent);
