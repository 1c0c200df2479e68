using System.Collections.Concurrent;

namespace Tasks.Core.Tests.Support;

/// <summary>Arguments of the general-purpose test task <c>work</c>; <see cref="Label"/> tells calls apart.</summary>
public sealed record Work(string Label);

/// <summary>Arguments of a task that returns a value.</summary>
public sealed record Add(int A, int B);

/// <summary>Arguments no task is registered for.</summary>
public sealed record Unregistered(int Value);

/// <summary>A node that can point back at itself, so serialization meets a cycle.</summary>
public sealed class Node
{
    public string Name { get; set; } = "";

    public Node? Next { get; set; }
}

public interface IShape
{
    double Area { get; }
}

public sealed class Square : IShape
{
    public double Side { get; set; }

    public double Area => Side * Side;
}

/// <summary>Serializes (as its runtime shape) but cannot be read back: the property's type is an interface.</summary>
public sealed class HasInterface
{
    public IShape? Shape { get; set; }
}

/// <summary>One call of a handler.</summary>
public sealed record Call(string TaskId, string Label, int Attempt, string WorkerId, Guid ScopedId, DateTimeOffset At);

/// <summary>A scoped service: a new <see cref="Id"/> per DI scope, i.e. per attempt.</summary>
public sealed class ScopedDependency
{
    public Guid Id { get; } = Guid.NewGuid();
}

/// <summary>What the test handlers record and how they behave; a singleton per test host.</summary>
public sealed class Probe
{
    private readonly ConcurrentQueue<Call> _calls = new();

    /// <summary>Runs inside the handler after the call is recorded; may throw, wait or ignore the token.</summary>
    public Func<Work, TaskContext, CancellationToken, Task>? Behaviour { get; set; }

    public IReadOnlyList<Call> Calls => _calls.ToArray();

    public IReadOnlyList<Call> CallsOf(string taskId) => _calls.Where(c => c.TaskId == taskId).ToArray();

    internal void Record(string label, TaskContext context, ScopedDependency scoped) =>
        _calls.Enqueue(new Call(context.TaskId, label, context.Attempt, context.WorkerId, scoped.Id, DateTimeOffset.UtcNow));
}

/// <summary>The general-purpose handler: records the call, then does what <see cref="Probe.Behaviour"/> says.</summary>
public sealed class WorkHandler(Probe probe, ScopedDependency scoped) : ITaskHandler<Work>
{
    public async Task HandleAsync(Work args, TaskContext context, CancellationToken cancellationToken)
    {
        probe.Record(args.Label, context, scoped);
        if (probe.Behaviour is { } behaviour)
        {
            await behaviour(args, context, cancellationToken);
        }
    }
}

/// <summary>A second handler of <see cref="Work"/>, to make argument-type lookups ambiguous.</summary>
public sealed class OtherWorkHandler(Probe probe, ScopedDependency scoped) : ITaskHandler<Work>
{
    public Task HandleAsync(Work args, TaskContext context, CancellationToken cancellationToken)
    {
        probe.Record("other:" + args.Label, context, scoped);
        return Task.CompletedTask;
    }
}

public sealed class AddHandler : ITaskHandler<Add, int>
{
    public Task<int> HandleAsync(Add args, TaskContext context, CancellationToken cancellationToken) => Task.FromResult(args.A + args.B);
}

public sealed class NodeHandler : ITaskHandler<Node>
{
    public Task HandleAsync(Node args, TaskContext context, CancellationToken cancellationToken) => Task.CompletedTask;
}

public sealed class HasInterfaceHandler : ITaskHandler<HasInterface>
{
    public Task HandleAsync(HasInterface args, TaskContext context, CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>Thrown by test handlers on purpose.</summary>
public sealed class BoomException(string message) : Exception(message);
