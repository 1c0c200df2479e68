using Microsoft.Extensions.DependencyInjection;
using Tasks.Backends;
using Tasks.Core.Tests.Support;

namespace Tasks.Core.Tests;

/// <summary><see cref="TasksBuilder"/>: definition-level options are checked when a task is added, and registration is additive.</summary>
public sealed class TasksBuilderTests
{
    private static InvalidTaskException AddWork(Action<TaskOptions> configure) =>
        Assert.ThrowsAny<InvalidTaskException>(() => new ServiceCollection().AddTasks(t => t.AddTask<Work, WorkHandler>("work", configure)));

    [Theory]
    [InlineData(-101)]
    [InlineData(101)]
    public void Definition_priority_out_of_range_is_refused(int priority)
    {
        var ex = AddWork(o => o.Priority = priority);

        Assert.Equal("Priority", ex.Option);
        Assert.Contains($"Task 'work': priority {priority} is out of range -100..100", ex.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void Definition_MaxAttempts_below_one_is_refused(int attempts)
    {
        var ex = AddWork(o => o.MaxAttempts = attempts);

        Assert.Equal("MaxAttempts", ex.Option);
        Assert.Contains("Task 'work': MaxAttempts must be at least 1", ex.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void Definition_timeout_that_is_not_positive_is_refused(int milliseconds)
    {
        var ex = AddWork(o => o.Timeout = TimeSpan.FromMilliseconds(milliseconds));

        Assert.Equal("Timeout", ex.Option);
        Assert.Contains("Task 'work': Timeout must be positive", ex.Message);
    }

    [Theory]
    [InlineData(50)]
    [InlineData(10_000)]
    public void Definition_timeout_longer_than_a_timer_can_hold_is_refused(int days)
    {
        var ex = AddWork(o => o.Timeout = TimeSpan.FromDays(days));
        var max = AddWork(o => o.Timeout = TimeSpan.MaxValue);

        Assert.Equal("Timeout", ex.Option);
        Assert.Contains("at most 49.17:02:47.2940000 (null means no limit)", ex.Message);
        Assert.Equal("Timeout", max.Option);
    }

    [Fact]
    public async Task The_longest_allowed_timeout_runs_tasks_normally()
    {
        await using var host = TestHost.Create(t =>
        {
            t.AddImmediateBackend("inline");
            t.AddTask<Work, WorkHandler>("work", o => o.Timeout = TimeSpan.FromDays(49));
        });

        var result = await host.Queue.EnqueueAsync(new Work("x"));

        Assert.Equal(TaskResultStatus.Succeeded, result.Status);
    }

    [Theory]
    [InlineData("")]
    [InlineData("bad queue")]
    public void Definition_queue_name_that_is_invalid_is_refused(string queue)
    {
        var ex = AddWork(o => o.Queue = queue);

        Assert.Equal("Queue", ex.Option);
        Assert.Contains($"Queue name '{queue}' is invalid", ex.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    public void Blank_task_names_are_refused(string name)
    {
        Assert.ThrowsAny<ArgumentException>(() => new ServiceCollection().AddTasks(t => t.AddTask<Work, WorkHandler>(name)));
    }

    [Fact]
    public async Task Definition_options_become_the_definition_and_the_envelope_defaults()
    {
        var backoff = RetryBackoff.Fixed(TimeSpan.FromSeconds(3));
        await using var host = TestHost.Create(t =>
        {
            t.AddRecordingBackend("rec");
            t.AddTask<Work, WorkHandler>("work", o =>
            {
                o.Queue = "slow";
                o.Priority = -100;
                o.MaxAttempts = 4;
                o.Backoff = backoff;
                o.Timeout = TimeSpan.FromSeconds(9);
                o.Backend = "rec";
            });
        });
        var definition = Assert.Single(host.Services.GetRequiredService<TaskRegistry>().All);

        Assert.Equal("work", definition.Name);
        Assert.Equal(typeof(Work), definition.ArgumentsType);
        Assert.Null(definition.ResultType);
        Assert.Equal(typeof(WorkHandler), definition.HandlerType);
        Assert.Equal("slow", definition.Queue);
        Assert.Equal(-100, definition.Priority);
        Assert.Equal(4, definition.MaxAttempts);
        Assert.Same(backoff, definition.Backoff);
        Assert.Equal(TimeSpan.FromSeconds(9), definition.Timeout);
        Assert.Equal("rec", definition.Backend);
        Assert.Equal("work (Work -> WorkHandler)", definition.ToString());

        var result = await host.Queue.EnqueueAsync(new Work("x"));
        var envelope = Assert.Single(host.Backend<RecordingTaskBackend>("rec").Enqueued);
        Assert.Equal(("slow", -100, 4, 1), (envelope.Queue, envelope.Priority, envelope.MaxAttempts, envelope.Attempt));
        Assert.Equal(("slow", -100, 4, "rec"), (result.Queue, result.Priority, result.MaxAttempts, result.Backend));
    }

    [Fact]
    public void Default_options_are_the_documented_ones()
    {
        var o = new TaskOptions();

        Assert.Equal("default", o.Queue);
        Assert.Equal(TaskOptions.DefaultQueue, o.Queue);
        Assert.Equal(0, o.Priority);
        Assert.Null(o.Backend);
        Assert.Equal(1, o.MaxAttempts);
        Assert.Same(RetryBackoff.Default, o.Backoff);
        Assert.Null(o.Timeout);
    }

    [Fact]
    public async Task Result_type_is_recorded_for_tasks_that_return_a_value()
    {
        await using var host = TestHost.Create(t => t.AddTask<Add, int, AddHandler>("add"));

        var definition = Assert.Single(host.Services.GetRequiredService<TaskRegistry>().All);

        Assert.Equal(typeof(int), definition.ResultType);
    }

    [Fact]
    public async Task AddTasks_can_be_called_several_times_and_shares_one_registry_and_settings()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddTasks(t => t.AddTask<Work, WorkHandler>("work"));
        services.AddTasks(t => t.AddTask<Add, int, AddHandler>("add"));
        services.AddTasks(t => t.AddRecordingBackend("rec"));
        services.AddSingleton<Probe>();
        services.AddScoped<ScopedDependency>();
        await using var sp = services.BuildServiceProvider();

        Assert.Equal(["add", "work"], sp.GetRequiredService<TaskRegistry>().All.Select(d => d.Name).Order());
        Assert.Single(services, d => d.ServiceType == typeof(ITaskQueue));
        var result = await sp.GetRequiredService<ITaskQueue>().EnqueueAsync(new Add(1, 2));
        Assert.Equal("rec", result.Backend);
    }

    [Fact]
    public async Task Handlers_are_registered_as_transient_services_unless_the_app_registered_them()
    {
        var services = new ServiceCollection();
        var mine = new AddHandler();
        services.AddSingleton(mine);
        services.AddTasks(t =>
        {
            t.AddTask<Work, WorkHandler>("work");
            t.AddTask<Add, int, AddHandler>("add");
        });

        Assert.Equal(ServiceLifetime.Transient, Assert.Single(services, d => d.ServiceType == typeof(WorkHandler)).Lifetime);
        Assert.Equal(ServiceLifetime.Singleton, Assert.Single(services, d => d.ServiceType == typeof(AddHandler)).Lifetime);
        await using var sp = services.BuildServiceProvider();
        Assert.Same(mine, sp.GetRequiredService<AddHandler>());
    }

    [Fact]
    public void UseSerializer_refuses_null()
    {
        Assert.Throws<ArgumentNullException>(() => new ServiceCollection().AddTasks(t => t.UseSerializer(null!)));
    }

    [Fact]
    public void Backend_registrations_refuse_an_empty_alias_or_type_name()
    {
        Assert.ThrowsAny<ArgumentException>(() => new ServiceCollection().AddTasks(t => t.AddBackend("", (_, a) => new RecordingTaskBackend(a))));
        Assert.ThrowsAny<ArgumentException>(() => new ServiceCollection().AddTasks(t => t.AddBackendType("", (_, a, _) => new RecordingTaskBackend(a))));
    }

    [Fact]
    public async Task UseDefaultBackend_picks_the_backend_of_tasks_that_name_none()
    {
        await using var host = TestHost.Create(t =>
        {
            t.AddRecordingBackend("a");
            t.AddRecordingBackend("b");
            t.UseDefaultBackend("b");
            t.AddTask<Work, WorkHandler>("work");
        });

        var result = await host.Queue.EnqueueAsync(new Work("x"));

        Assert.Equal("b", host.Backends.DefaultAlias);
        Assert.Equal("b", result.Backend);
        Assert.Single(host.Backend<RecordingTaskBackend>("b").Enqueued);
        Assert.Empty(host.Backend<RecordingTaskBackend>("a").Enqueued);
    }
}
