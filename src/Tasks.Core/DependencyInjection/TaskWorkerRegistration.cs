namespace Tasks;

/// <summary>A worker configured in code.</summary>
internal sealed record TaskWorkerRegistration(TaskWorkerOptions Options);
