namespace Tasks.Conformance;

/// <summary>One handler execution seen by the probe.</summary>
/// <param name="TaskId">The task id.</param>
/// <param name="TaskName">The task name.</param>
/// <param name="Label">The label the handler noted, if any.</param>
/// <param name="WorkerId">The worker that ran it.</param>
/// <param name="Attempt">The attempt number.</param>
/// <param name="At">When the handler started (UTC).</param>
/// <param name="Sequence">Global order of executions.</param>
/// <param name="Culture">The name of the culture the handler ran in (<see cref="System.Globalization.CultureInfo.CurrentCulture"/>).</param>
public sealed record ConformanceExecution(string TaskId, string TaskName, string? Label, string WorkerId, int Attempt, DateTimeOffset At, long Sequence, string Culture);
