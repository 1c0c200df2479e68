namespace Tasks.Hangfire;

/// <summary>
/// Thrown out of a Tasks job after its last attempt failed, so the Hangfire dashboard lists the job under Failed with
/// the task's error. The task's own result (status Failed, every attempt's error) is already recorded; Hangfire never
/// retries the job (the Tasks pipeline owns retries).
/// </summary>
public sealed class HangfireTaskFailedException : TaskException
{
    /// <summary>Creates the exception for a failed <paramref name="result"/>.</summary>
    public HangfireTaskFailedException(TaskResult result)
        : base(Describe(result))
    {
        TaskId = result.Id;
    }

    /// <summary>The Tasks id of the failed task.</summary>
    public string TaskId { get; }

    private static string Describe(TaskResult result)
    {
        var last = result.Errors.Count > 0 ? result.Errors[^1] : null;
        var what = last is null ? "no error recorded" : $"{last.ExceptionType}: {last.Message}";
        var stack = string.IsNullOrEmpty(last?.StackTrace) ? string.Empty : $"{Environment.NewLine}{last.StackTrace}";
        return $"Task '{result.TaskName}' ({result.Id}) failed after {result.Attempts} attempt(s): {what}{stack}";
    }
}
