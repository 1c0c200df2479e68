using Tasks.Backends;
using Tasks.Core.Tests.Support;

namespace Tasks.Core.Tests;

/// <summary>Every rule <see cref="ITaskQueue"/> enforces at enqueue, with its typed error and message.</summary>
public sealed class TaskQueueValidationTests
{
    private static TestHost Recording(Action<TasksBuilder>? more = null) => TestHost.Create(t =>
    {
        t.AddRecordingBackend("rec");
        t.AddTask<Work, WorkHandler>("work");
        t.AddTask<Add, int, AddHandler>("add");
        more?.Invoke(t);
    });

    // ---- unknown task ----

    [Fact]
    public async Task Unknown_task_name_is_refused_with_UnknownTaskException()
    {
        await using var host = Recording();

        var ex = await Assert.ThrowsAsync<UnknownTaskException>(() => host.Queue.EnqueueAsync("nope", new Work("x")));

        Assert.Equal("nope", ex.TaskName);
        Assert.Equal("TaskName", ex.Option);
        Assert.Contains("No task named 'nope' is registered", ex.Message);
        Assert.Contains("AddTask<TArgs, THandler>(\"nope\")", ex.Message);
        Assert.Empty(host.Backend<RecordingTaskBackend>().Enqueued);
    }

    [Fact]
    public async Task Unknown_argument_type_is_refused_with_UnknownTaskException()
    {
        await using var host = Recording();

        var ex = await Assert.ThrowsAsync<UnknownTaskException>(() => host.Queue.EnqueueAsync(new Unregistered(1)));

        Assert.Equal(nameof(Unregistered), ex.TaskName);
        Assert.Contains($"no task takes arguments of type {typeof(Unregistered).FullName}", ex.Message);
        Assert.Empty(host.Backend<RecordingTaskBackend>().Enqueued);
    }

    [Fact]
    public async Task Argument_type_taken_by_two_tasks_is_ambiguous_and_names_both()
    {
        await using var host = Recording(t => t.AddTask<Work, OtherWorkHandler>("other-work"));

        var ex = await Assert.ThrowsAsync<UnknownTaskException>(() => host.Queue.EnqueueAsync(new Work("x")));

        Assert.Contains("several tasks take", ex.Message);
        Assert.Contains("work", ex.Message);
        Assert.Contains("other-work", ex.Message);
        Assert.Contains("enqueue by name", ex.Message);
        Assert.Empty(host.Backend<RecordingTaskBackend>().Enqueued);

        // By name it is unambiguous.
        var result = await host.Queue.EnqueueAsync("other-work", new Work("x"));
        Assert.Equal("other-work", result.TaskName);
        Assert.Equal("other-work", Assert.Single(host.Backend<RecordingTaskBackend>().Enqueued).TaskName);
    }

    [Fact]
    public async Task Enqueue_by_name_with_the_wrong_argument_type_is_refused()
    {
        await using var host = Recording();

        var ex = await Assert.ThrowsAsync<InvalidTaskException>(() => host.Queue.EnqueueAsync("work", new Add(1, 2)));

        Assert.Equal("Arguments", ex.Option);
        Assert.Contains($"Task 'work' takes {typeof(Work).FullName}, not {typeof(Add).FullName}", ex.Message);
        Assert.Empty(host.Backend<RecordingTaskBackend>().Enqueued);
    }

    [Fact]
    public async Task Unknown_task_in_a_bulk_enqueue_is_refused_before_anything_is_enqueued()
    {
        await using var host = Recording();

        await Assert.ThrowsAsync<UnknownTaskException>(() => host.Queue.EnqueueManyAsync("nope", [new Work("a")]));
        await Assert.ThrowsAsync<UnknownTaskException>(() => host.Queue.EnqueueManyAsync([new Unregistered(1)]));
        Assert.Empty(host.Backend<RecordingTaskBackend>().Enqueued);
    }

    // ---- unknown backend ----

    [Fact]
    public async Task Unknown_backend_alias_in_With_is_refused_and_lists_configured_aliases()
    {
        await using var host = TestHost.Create(t =>
        {
            t.AddRecordingBackend("rec");
            t.AddInMemoryBackend("mem");
            t.UseDefaultBackend("rec");
            t.AddTask<Work, WorkHandler>("work");
        });

        var ex = Assert.Throws<UnknownBackendException>(() => host.Queue.With(backend: "nope"));

        Assert.Equal("Backend", ex.Option);
        Assert.Equal("nope", ex.Backend);
        Assert.Contains("No task backend is configured with alias 'nope'", ex.Message);
        Assert.Contains("'rec'", ex.Message);
        Assert.Contains("'mem'", ex.Message);
    }

    [Fact]
    public async Task Unknown_backend_alias_of_a_definition_is_refused_at_enqueue()
    {
        await using var host = Recording(t => t.AddTask<Add, int, AddHandler>("add-elsewhere", o => o.Backend = "elsewhere"));

        var ex = await Assert.ThrowsAsync<UnknownBackendException>(() => host.Queue.EnqueueAsync("add-elsewhere", new Add(1, 2)));

        Assert.Equal("elsewhere", ex.Backend);
        Assert.Contains("alias 'elsewhere'", ex.Message);
        Assert.Contains("Configured backends: 'rec'", ex.Message);
        Assert.Empty(host.Backend<RecordingTaskBackend>().Enqueued);
    }

    // ---- queues ----

    [Fact]
    public async Task Queue_the_backend_does_not_serve_is_refused_with_UnknownQueueException()
    {
        await using var host = TestHost.Create(t =>
        {
            t.AddBackend("listed", (_, a) => new ListedQueuesBackend(a, "default", "emails"));
            t.AddTask<Work, WorkHandler>("work");
            t.AddTask<Add, int, AddHandler>("add", o => o.Queue = "reports");
        });
        var backend = host.Backend<ListedQueuesBackend>();

        var ex = await Assert.ThrowsAsync<UnknownQueueException>(() => host.Queue.With(queue: "sms").EnqueueAsync(new Work("x")));
        Assert.Equal("sms", ex.Queue);
        Assert.Equal("listed", ex.Backend);
        Assert.Equal("Queue", ex.Option);
        Assert.Contains("Backend 'listed' has no queue 'sms'", ex.Message);
        Assert.Contains("'default', 'emails'", ex.Message);

        // A definition's default queue is checked the same way.
        var fromDefinition = await Assert.ThrowsAsync<UnknownQueueException>(() => host.Queue.EnqueueAsync(new Add(1, 2)));
        Assert.Equal("reports", fromDefinition.Queue);

        Assert.Empty(backend.Dispatched);

        // Listed queues are accepted.
        await host.Queue.With(queue: "emails").EnqueueAsync(new Work("ok"));
        await host.Queue.EnqueueAsync(new Work("ok"));
        Assert.Equal(["emails", "default"], backend.Dispatched.Select(e => e.Queue));
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("a/b")]
    [InlineData("queue:1")]
    [InlineData("ünicode")]
    [InlineData("tab\t")]
    public async Task Invalid_queue_names_are_refused(string queue)
    {
        await using var host = Recording();

        var ex = Assert.Throws<InvalidTaskException>(() => host.Queue.With(queue: queue));

        Assert.IsNotType<UnknownQueueException>(ex);
        Assert.Equal("Queue", ex.Option);
        Assert.Contains($"Queue name '{queue}' is invalid", ex.Message);
        Assert.Contains("1 to 100 ASCII letters, digits, '-', '_' or '.'", ex.Message);
    }

    [Fact]
    public async Task Queue_names_longer_than_100_characters_are_refused_and_100_is_accepted()
    {
        await using var host = Recording();

        Assert.Throws<InvalidTaskException>(() => host.Queue.With(queue: new string('q', 101)));

        var longest = new string('q', 100);
        var result = await host.Queue.With(queue: longest).EnqueueAsync(new Work("x"));
        Assert.Equal(longest, result.Queue);

        var mixed = await host.Queue.With(queue: "Mixed-1_two.3").EnqueueAsync(new Work("x"));
        Assert.Equal("Mixed-1_two.3", mixed.Queue);
    }

    // ---- priority ----

    [Theory]
    [InlineData(-101)]
    [InlineData(101)]
    [InlineData(int.MinValue)]
    [InlineData(int.MaxValue)]
    public async Task Priority_out_of_range_in_With_is_refused(int priority)
    {
        await using var host = Recording();

        var ex = Assert.Throws<InvalidTaskException>(() => host.Queue.With(priority: priority));

        Assert.Equal("Priority", ex.Option);
        Assert.Contains($"Priority {priority} is out of range: it must be between -100 and 100", ex.Message);
    }

    [Theory]
    [InlineData(-100)]
    [InlineData(0)]
    [InlineData(100)]
    public async Task Priority_at_the_bounds_is_accepted_and_recorded(int priority)
    {
        await using var host = Recording();

        var result = await host.Queue.With(priority: priority).EnqueueAsync(new Work("x"));

        Assert.Equal(priority, result.Priority);
        Assert.Equal(priority, Assert.Single(host.Backend<RecordingTaskBackend>().Enqueued).Priority);
    }

    [Fact]
    public async Task Priority_on_a_backend_without_the_Priority_capability_is_refused_naming_backend_and_option()
    {
        await using var host = TestHost.Create(t =>
        {
            t.AddBackend("plain", (_, a) => new LimitedBackend(a, TaskBackendCapabilities.Priority));
            t.AddTask<Work, WorkHandler>("work");
            t.AddTask<Add, int, AddHandler>("add", o => o.Priority = 5);
        });
        var backend = host.Backend<LimitedBackend>();

        var ex = await Assert.ThrowsAsync<TaskNotSupportedException>(() => host.Queue.With(priority: 10).EnqueueAsync(new Work("x")));
        Assert.Equal("plain", ex.Backend);
        Assert.Equal(TaskBackendCapabilities.Priority, ex.Missing);
        Assert.Contains("Priority 10", ex.Option);
        Assert.Contains("Backend 'plain' does not support Priority 10", ex.Message);
        Assert.Contains("lacks the Priority capability", ex.Message);

        // A definition's priority is checked the same way.
        await Assert.ThrowsAsync<TaskNotSupportedException>(() => host.Queue.EnqueueAsync(new Add(1, 2)));
        Assert.Empty(backend.Dispatched);

        // The default priority is always accepted.
        await host.Queue.EnqueueAsync(new Work("x"));
        await host.Queue.With(priority: 0).EnqueueAsync(new Work("y"));
        Assert.Equal(2, backend.Dispatched.Count);
    }

    // ---- run-after and delay ----

    [Theory]
    [InlineData(DateTimeKind.Local)]
    [InlineData(DateTimeKind.Unspecified)]
    public async Task RunAfter_with_an_ambiguous_DateTimeKind_is_refused(DateTimeKind kind)
    {
        await using var host = Recording();
        var when = new DateTime(2030, 1, 2, 3, 4, 5, kind);

        var ex = Assert.Throws<InvalidTaskException>(() => host.Queue.RunAfter(when));

        Assert.Equal("RunAfter", ex.Option);
        Assert.Contains($"DateTimeKind.{kind}", ex.Message);
        Assert.Contains("its instant is ambiguous", ex.Message);
    }

    [Fact]
    public async Task RunAfter_with_a_UTC_DateTime_is_accepted_as_that_instant()
    {
        await using var host = Recording();
        var when = new DateTime(2030, 1, 2, 3, 4, 5, DateTimeKind.Utc);

        var result = await host.Queue.RunAfter(when).EnqueueAsync(new Work("x"));

        var expected = new DateTimeOffset(2030, 1, 2, 3, 4, 5, TimeSpan.Zero);
        Assert.Equal(expected, result.RunAfter);
        Assert.Equal(TimeSpan.Zero, result.RunAfter!.Value.Offset);
        Assert.Equal(expected, Assert.Single(host.Backend<RecordingTaskBackend>().Enqueued).RunAfter);
    }

    [Fact]
    public async Task Negative_delay_is_refused_and_zero_is_accepted()
    {
        await using var host = Recording();

        var ex = Assert.Throws<InvalidTaskException>(() => host.Queue.Delay(TimeSpan.FromMilliseconds(-1)));
        Assert.Equal("RunAfter", ex.Option);
        Assert.Contains("is negative", ex.Message);

        var result = await host.Queue.Delay(TimeSpan.Zero).EnqueueAsync(new Work("x"));
        Assert.Equal(result.EnqueuedAt, result.RunAfter);
    }

    [Fact]
    public async Task RunAfter_on_a_backend_without_Defer_is_refused_naming_backend_and_option()
    {
        await using var host = TestHost.Create(t =>
        {
            t.AddImmediateBackend("inline");
            t.AddTask<Work, WorkHandler>("work");
        });

        var byDelay = await Assert.ThrowsAsync<TaskNotSupportedException>(() => host.Queue.Delay(TimeSpan.FromMinutes(1)).EnqueueAsync(new Work("x")));
        var byInstant = await Assert.ThrowsAsync<TaskNotSupportedException>(() => host.Queue.With(runAfter: DateTimeOffset.UtcNow.AddMinutes(1)).EnqueueAsync(new Work("x")));
        var byUtcDateTime = await Assert.ThrowsAsync<TaskNotSupportedException>(() => host.Queue.RunAfter(DateTime.UtcNow.AddMinutes(1)).EnqueueAsync(new Work("x")));

        foreach (var ex in new[] { byDelay, byInstant, byUtcDateTime })
        {
            Assert.Equal("inline", ex.Backend);
            Assert.Equal(TaskBackendCapabilities.Defer, ex.Missing);
            Assert.Equal("RunAfter (deferred tasks)", ex.Option);
            Assert.Contains("Backend 'inline' does not support RunAfter (deferred tasks) (it lacks the Defer capability)", ex.Message);
        }

        Assert.Empty(host.Probe.Calls);
    }

    // ---- results and cancel ----

    [Theory]
    [InlineData("not-a-guid")]
    [InlineData("")]
    [InlineData("12345")]
    public async Task GetResult_with_a_malformed_id_throws_TaskNotFoundException(string id)
    {
        await using var host = Recording();

        var ex = await Assert.ThrowsAsync<TaskNotFoundException>(() => host.Queue.GetResultAsync(id));

        Assert.Equal(id, ex.TaskId);
        Assert.Contains("the id is not a task id (a GUID)", ex.Message);
    }

    [Fact]
    public async Task GetResult_and_Cancel_of_an_unknown_id_throw_TaskNotFoundException()
    {
        await using var host = Recording();
        var id = Guid.NewGuid().ToString();

        var get = await Assert.ThrowsAsync<TaskNotFoundException>(() => host.Queue.GetResultAsync(id));
        var cancel = await Assert.ThrowsAsync<TaskNotFoundException>(() => host.Queue.CancelAsync(id));

        Assert.Equal(id, get.TaskId);
        Assert.Contains($"Task '{id}' does not exist", get.Message);
        Assert.Equal(id, cancel.TaskId);
        await Assert.ThrowsAsync<TaskNotFoundException>(() => host.Queue.CancelAsync("malformed"));
    }

    [Fact]
    public async Task Cancel_on_a_backend_without_the_Cancel_capability_is_refused()
    {
        await using var host = TestHost.Create(t =>
        {
            t.AddImmediateBackend("inline");
            t.AddTask<Work, WorkHandler>("work");
        });
        var done = await host.Queue.EnqueueAsync(new Work("x"));

        var ex = await Assert.ThrowsAsync<TaskNotSupportedException>(() => host.Queue.CancelAsync(done.Id));

        Assert.Equal("inline", ex.Backend);
        Assert.Equal(TaskBackendCapabilities.Cancel, ex.Missing);
        Assert.Contains("Backend 'inline' does not support cancelling tasks", ex.Message);

        var pinned = await Assert.ThrowsAsync<TaskNotSupportedException>(() => host.Queue.With(backend: "inline").CancelAsync(done.Id));
        Assert.Equal(TaskBackendCapabilities.Cancel, pinned.Missing);
    }

    // ---- serialization ----

    [Fact]
    public async Task Arguments_with_a_cycle_are_refused_with_TaskSerializationException_and_nothing_is_recorded()
    {
        await using var host = Recording(t => t.AddTask<Node, NodeHandler>("node"));
        var node = new Node { Name = "a" };
        node.Next = node;

        var ex = await Assert.ThrowsAsync<TaskSerializationException>(() => host.Queue.EnqueueAsync(node));

        Assert.Equal("Arguments", ex.Option);
        Assert.Contains($"The arguments of task 'node' ({typeof(Node).FullName}) cannot be serialized for backend 'rec'", ex.Message);
        Assert.IsAssignableFrom<System.Text.Json.JsonException>(ex.InnerException);
        var backend = host.Backend<RecordingTaskBackend>();
        Assert.Empty(backend.Enqueued);
        Assert.Equal(0, ((InMemoryTaskResultStore)backend.Results).Count);
    }

    [Fact]
    public async Task Arguments_that_serialize_but_do_not_read_back_are_refused_and_nothing_is_recorded()
    {
        await using var host = Recording(t => t.AddTask<HasInterface, HasInterfaceHandler>("shape"));

        var ex = await Assert.ThrowsAsync<TaskSerializationException>(() => host.Queue.EnqueueAsync(new HasInterface { Shape = new Square { Side = 2 } }));

        Assert.Equal("Arguments", ex.Option);
        Assert.Contains($"serialize but do not read back as {typeof(HasInterface).FullName}", ex.Message);
        Assert.Contains("a worker could never run it", ex.Message);
        Assert.NotNull(ex.InnerException);
        var backend = host.Backend<RecordingTaskBackend>();
        Assert.Empty(backend.Enqueued);
        Assert.Equal(0, ((InMemoryTaskResultStore)backend.Results).Count);
    }

    [Fact]
    public async Task Round_trip_check_can_be_turned_off()
    {
        await using var host = Recording(t =>
        {
            t.AddTask<HasInterface, HasInterfaceHandler>("shape");
            t.VerifyArgumentsRoundTrip(false);
        });

        var result = await host.Queue.EnqueueAsync(new HasInterface { Shape = new Square { Side = 2 } });

        Assert.Equal(TaskResultStatus.Ready, result.Status);
        Assert.Single(host.Backend<RecordingTaskBackend>().Enqueued);
    }

    // ---- bulk ----

    [Fact]
    public async Task Bulk_enqueue_with_bad_items_lists_every_bad_index_and_enqueues_nothing()
    {
        await using var host = Recording(t => t.AddTask<Node, NodeHandler>("node"));
        Node Cycle()
        {
            var n = new Node { Name = "loop" };
            n.Next = n;
            return n;
        }

        var items = new[] { new Node { Name = "ok0" }, Cycle(), new Node { Name = "ok2" }, Cycle(), new Node { Name = "ok4" } };

        var ex = await Assert.ThrowsAsync<TaskBulkEnqueueException>(() => host.Queue.EnqueueManyAsync(items));

        Assert.Equal([1, 3], ex.Errors.Select(e => e.Key));
        Assert.All(ex.Errors, e => Assert.IsType<TaskSerializationException>(e.Value));
        Assert.StartsWith("2 item(s) of the bulk enqueue are invalid and nothing was enqueued. First: item 1:", ex.Message);
        Assert.Equal("Arguments", ex.Option);
        var backend = host.Backend<RecordingTaskBackend>();
        Assert.Empty(backend.Enqueued);
        Assert.Equal(0, ((InMemoryTaskResultStore)backend.Results).Count);
    }

    [Fact]
    public async Task Bulk_enqueue_with_an_unsupported_option_refuses_every_item()
    {
        await using var host = TestHost.Create(t =>
        {
            t.AddImmediateBackend("inline");
            t.AddTask<Work, WorkHandler>("work");
        });

        var ex = await Assert.ThrowsAsync<TaskBulkEnqueueException>(() => host.Queue.Delay(TimeSpan.FromSeconds(5)).EnqueueManyAsync([new Work("a"), new Work("b")]));

        Assert.Equal([0, 1], ex.Errors.Select(e => e.Key));
        Assert.All(ex.Errors, e => Assert.IsType<TaskNotSupportedException>(e.Value));
        Assert.Equal("inline", ex.Backend);
        Assert.Empty(host.Probe.Calls);
    }

    [Fact]
    public async Task Bulk_enqueue_of_nothing_returns_nothing()
    {
        await using var host = Recording();

        var results = await host.Queue.EnqueueManyAsync(Array.Empty<Work>());

        Assert.Empty(results);
        Assert.Empty(host.Backend<RecordingTaskBackend>().Enqueued);
    }
}
