using Microsoft.Extensions.DependencyInjection;
using Tasks.Core.Tests.Support;

namespace Tasks.Core.Tests;

/// <summary><see cref="TaskRegistry"/>: lookups by name and argument type, and unique names.</summary>
public sealed class TaskRegistryTests
{
    private static TaskRegistry Registry(Action<TasksBuilder> configure)
    {
        var services = new ServiceCollection();
        services.AddTasks(configure);
        using var sp = services.BuildServiceProvider();
        return sp.GetRequiredService<TaskRegistry>(); // the registry is plain data and outlives the provider
    }

    [Fact]
    public void Finds_definitions_by_name_and_by_argument_type()
    {
        var registry = Registry(t =>
        {
            t.AddTask<Work, WorkHandler>("work");
            t.AddTask<Add, int, AddHandler>("add");
        });

        Assert.Equal(2, registry.All.Count);
        Assert.Equal(typeof(AddHandler), registry.Get("add").HandlerType);
        Assert.Equal("work", registry.GetByArguments(typeof(Work)).Name);
        Assert.True(registry.TryGet("work", out var found));
        Assert.Equal("work", found.Name);
        Assert.False(registry.TryGet("Work", out _)); // names are case-sensitive
    }

    [Fact]
    public void Unknown_name_and_unknown_or_ambiguous_type_throw_UnknownTaskException()
    {
        var registry = Registry(t =>
        {
            t.AddTask<Work, WorkHandler>("work");
            t.AddTask<Work, OtherWorkHandler>("work-2");
        });

        Assert.Equal("nope", Assert.Throws<UnknownTaskException>(() => registry.Get("nope")).TaskName);
        Assert.Contains("no task takes arguments", Assert.Throws<UnknownTaskException>(() => registry.GetByArguments(typeof(Add))).Message);
        var ambiguous = Assert.Throws<UnknownTaskException>(() => registry.GetByArguments(typeof(Work)));
        Assert.Contains("several tasks take", ambiguous.Message);
        Assert.Contains("work, work-2", ambiguous.Message);
    }

    [Fact]
    public void Duplicate_task_names_are_a_configuration_error_naming_both_handlers()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddTasks(t =>
        {
            t.AddTask<Work, WorkHandler>("same");
            t.AddTask<Work, OtherWorkHandler>("same");
        });
        using var sp = services.BuildServiceProvider();

        var ex = Assert.Throws<TaskConfigurationException>(() => sp.GetRequiredService<ITaskQueue>());

        Assert.Contains("Task name 'same' is registered twice (WorkHandler and OtherWorkHandler)", ex.Message);
        Assert.Contains("task names must be unique", ex.Message);
    }
}
