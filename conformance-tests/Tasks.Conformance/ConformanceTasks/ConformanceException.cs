namespace Tasks.Conformance.ConformanceTasks;

/// <summary>The exception the failing tasks throw, so the suite can recognise it in recorded errors.</summary>
public sealed class ConformanceException(string message) : Exception(message);
