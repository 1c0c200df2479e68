using Tasks.Execution;

namespace Tasks;

/// <summary>A registered task: its stable name, argument and return types, handler and defaults. Immutable.</summary>
public sealed class TaskDefinition
{
    internal TaskDefinition(string name, Type argumentsType, Type? resultType, Type handlerType, TaskOptions options, TaskInvoker invoker)
    {
        Name = name;
        ArgumentsType = argumentsType;
        ResultType = resultType;
        HandlerType = handlerType;
        Queue = options.Queue;
        Priority = options.Priority;
        Backend = options.Backend;
        MaxAttempts = options.MaxAttempts;
        Backoff = options.Backoff;
        Timeout = options.Timeout;
        Invoker = invoker;
    }

    /// <summary>The stable name queued work refers to; renaming a CLR type does not strand queued tasks.</summary>
    public string Name { get; }

    /// <summary>The arguments type.</summary>
    public Type ArgumentsType { get; }

    /// <summary>The return value type, or <see langword="null"/> for a task without one.</summary>
    public Type? ResultType { get; }

    /// <summary>The handler type, resolved from a DI scope per attempt.</summary>
    public Type HandlerType { get; }

    /// <summary>Default queue.</summary>
    public string Queue { get; }

    /// <summary>Default priority.</summary>
    public int Priority { get; }

    /// <summary>Backend alias, or <see langword="null"/> for the default backend.</summary>
    public string? Backend { get; }

    /// <summary>Attempts in all (1 = no retry).</summary>
    public int MaxAttempts { get; }

    /// <summary>Delay between attempts.</summary>
    public RetryBackoff Backoff { get; }

    /// <summary>Time limit of one attempt, if any.</summary>
    public TimeSpan? Timeout { get; }

    internal TaskInvoker Invoker { get; }

    /// <inheritdoc />
    public override string ToString() => $"{Name} ({ArgumentsType.Name} -> {HandlerType.Name})";
}
