namespace Tasks.Execution;

/// <summary>Where a delivery is being executed.</summary>
/// <param name="Backend">The backend alias.</param>
/// <param name="WorkerId">The worker's id, recorded in the result.</param>
/// <param name="Results">The backend's result store.</param>
public sealed record TaskExecutionContext(string Backend, string WorkerId, ITaskResultStore Results);
