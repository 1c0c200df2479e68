using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Tasks.Core.Tests.Support;

namespace Tasks.Core.Tests;

/// <summary><see cref="ITaskObserver"/> hooks: told once each, and never able to break a task.</summary>
public sealed class TaskObserverTests
{
    public sealed class ObserverLog
    {
        public ConcurrentQueue<(string Event, string TaskId, TaskResultStatus Status, int Attempts)> Events { get; } = new();

        public IReadOnlyList<string> Of(string taskId) => Events.Where(e => e.TaskId == taskId).Select(e => $"{e.Event}:{e.Status}:{e.Attempts}").ToArray();
    }

    public sealed class LoggingObserver(ObserverLog log) : ITaskObserver
    {
        public ValueTask OnEnqueuedAsync(TaskResult result, CancellationToken cancellationToken) => Add("enqueued", result);

        public ValueTask OnStartedAsync(TaskResult result, CancellationToken cancellationToken) => Add("started", result);

        public ValueTask OnFinishedAsync(TaskResult result, CancellationToken cancellationToken) => Add("finished", result);

        private ValueTask Add(string e, TaskResult r)
        {
            log.Events.Enqueue((e, r.Id, r.Status, r.Attempts));
            return ValueTask.CompletedTask;
        }
    }

    public sealed class ThrowingObserver : ITaskObserver
    {
        public ValueTask OnEnqueuedAsync(TaskResult result, CancellationToken cancellationToken) => throw new BoomException("enqueued");

        public ValueTask OnStartedAsync(TaskResult result, CancellationToken cancellationToken) => ValueTask.FromException(new BoomException("started"));

        public async ValueTask OnFinishedAsync(TaskResult result, CancellationToken cancellationToken)
        {
            await Task.Yield();
            throw new BoomException("finished");
        }
    }

    private static TestHost Host(bool withThrowing, Action<TaskOptions>? work = null, bool immediate = false) => TestHost.Create(
        t =>
        {
            if (immediate)
            {
                t.AddImmediateBackend("b");
            }
            else
            {
                t.AddInMemoryBackend("b");
            }

            t.AddTask<Work, WorkHandler>("work", work);
            if (withThrowing)
            {
                t.AddObserver<ThrowingObserver>();
            }

            t.AddObserver<LoggingObserver>();
            t.AddObserver<LoggingObserver>(); // added twice, registered once
        },
        s => s.AddSingleton<ObserverLog>());

    /// <summary>
    /// The enqueuing side and the worker side report independently (a worker may start a task before the enqueue's own
    /// event), so only the worker's events have a fixed order among themselves.
    /// </summary>
    private static void AssertEvents(string[] enqueueSide, string[] workerSideInOrder, IReadOnlyList<string> actual)
    {
        Assert.Equal(enqueueSide.Concat(workerSideInOrder).Order(), actual.Order());
        Assert.Equal(workerSideInOrder, actual.Where(e => !enqueueSide.Contains(e)));
    }

    [Fact]
    public async Task Observers_hear_enqueued_started_and_finished_once_each()
    {
        await using var host = Host(withThrowing: false);
        var log = host.Services.GetRequiredService<ObserverLog>();
        await host.StartWorkerAsync();

        var enqueued = await host.Queue.EnqueueAsync(new Work("observed"));
        await host.WaitAsync(enqueued.Id);
        await Eventually.TrueAsync(() => log.Of(enqueued.Id).Count == 3, "three observer events");

        AssertEvents(["enqueued:Ready:0"], ["started:Running:1", "finished:Succeeded:1"], log.Of(enqueued.Id));
        Assert.Single(host.Services.GetServices<ITaskObserver>());
    }

    [Fact]
    public async Task Observers_hear_each_attempt_start_and_one_final_failure()
    {
        await using var host = Host(withThrowing: false, o =>
        {
            o.MaxAttempts = 2;
            o.Backoff = RetryBackoff.None;
        });
        host.Probe.Behaviour = (_, _, _) => throw new BoomException("fails");
        var log = host.Services.GetRequiredService<ObserverLog>();
        await host.StartWorkerAsync();

        var enqueued = await host.Queue.EnqueueAsync(new Work("failing"));
        await host.WaitAsync(enqueued.Id);
        await Eventually.TrueAsync(() => log.Of(enqueued.Id).Count == 4, "four observer events");

        AssertEvents(["enqueued:Ready:0"], ["started:Running:1", "started:Running:2", "finished:Failed:2"], log.Of(enqueued.Id));
    }

    [Fact]
    public async Task A_throwing_observer_breaks_neither_the_task_nor_the_other_observers()
    {
        await using var host = Host(withThrowing: true);
        var log = host.Services.GetRequiredService<ObserverLog>();
        await host.StartWorkerAsync();

        var enqueued = await host.Queue.EnqueueAsync(new Work("survives"));
        var result = await host.WaitAsync(enqueued.Id);
        await Eventually.TrueAsync(() => log.Of(enqueued.Id).Count == 3, "three observer events");

        Assert.Equal(TaskResultStatus.Succeeded, result.Status);
        Assert.Empty(result.Errors);
        AssertEvents(["enqueued:Ready:0"], ["started:Running:1", "finished:Succeeded:1"], log.Of(enqueued.Id));
    }

    [Fact]
    public async Task On_an_inline_backend_the_enqueue_event_carries_the_finished_result()
    {
        await using var host = Host(withThrowing: true, immediate: true);
        var log = host.Services.GetRequiredService<ObserverLog>();

        var result = await host.Queue.EnqueueAsync(new Work("inline"));

        Assert.Equal(TaskResultStatus.Succeeded, result.Status);
        Assert.Equal(["started:Running:1", "finished:Succeeded:1", "enqueued:Succeeded:1"], log.Of(result.Id));
    }

    [Fact]
    public async Task Bulk_enqueues_tell_observers_about_every_task()
    {
        await using var host = Host(withThrowing: false);
        var log = host.Services.GetRequiredService<ObserverLog>();

        var results = await host.Queue.EnqueueManyAsync([new Work("1"), new Work("2")]);

        Assert.All(results, r => Assert.Equal(["enqueued:Ready:0"], log.Of(r.Id)));
    }
}
