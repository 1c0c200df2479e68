namespace Tasks.Execution;

/// <summary>The outcome of one delivery through the pipeline.</summary>
/// <param name="Disposition">What the adapter must do with the delivery.</param>
/// <param name="Result">The result as recorded, if one was.</param>
/// <param name="Retry">For <see cref="TaskExecutionDisposition.Retry"/>: the envelope of the next attempt (its <c>RunAfter</c> holds the backoff).</param>
public sealed record TaskExecutionOutcome(TaskExecutionDisposition Disposition, TaskResult? Result, TaskEnvelope? Retry = null);
