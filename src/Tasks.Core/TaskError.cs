namespace Tasks;

/// <summary>One failed attempt: what was thrown and when.</summary>
/// <param name="Attempt">The attempt that failed, starting at 1.</param>
/// <param name="ExceptionType">Full type name of the exception.</param>
/// <param name="Message">The exception's message.</param>
/// <param name="StackTrace">The exception's stack trace, if it had one.</param>
/// <param name="At">When it failed (UTC).</param>
public sealed record TaskError(int Attempt, string ExceptionType, string Message, string? StackTrace, DateTimeOffset At)
{
    /// <summary>Records <paramref name="exception"/> as the error of <paramref name="attempt"/>.</summary>
    public static TaskError From(int attempt, Exception exception, DateTimeOffset at) =>
        new(attempt, exception.GetType().FullName ?? exception.GetType().Name, exception.Message, exception.StackTrace ?? exception.ToString(), at);
}
