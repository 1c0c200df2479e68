using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Tasks.Backends;
using Tasks.Core.Tests.Support;

namespace Tasks.Core.Tests;

/// <summary>A serializer swapped in with <see cref="TasksBuilder.UseSerializer"/> is used for arguments and return values everywhere.</summary>
public sealed class CustomTaskSerializerTests
{
    /// <summary>JSON with a marker prefix the default serializer cannot read, so any use of the default would fail.</summary>
    public sealed class PrefixedSerializer : ITaskSerializer
    {
        public const string Prefix = "v1|";

        public ConcurrentQueue<(string Op, Type Type)> Calls { get; } = new();

        public string Serialize(object? value, Type type)
        {
            Calls.Enqueue(("serialize", type));
            return Prefix + SystemTextJsonTaskSerializer.Default.Serialize(value, type);
        }

        public object? Deserialize(string payload, Type type)
        {
            Calls.Enqueue(("deserialize", type));
            if (!payload.StartsWith(Prefix, StringComparison.Ordinal))
            {
                throw new FormatException($"Payload '{payload}' lacks the {Prefix} prefix.");
            }

            return SystemTextJsonTaskSerializer.Default.Deserialize(payload[Prefix.Length..], type);
        }
    }

    [Fact]
    public async Task Arguments_and_return_values_go_through_the_custom_serializer_on_an_inline_backend()
    {
        var serializer = new PrefixedSerializer();
        await using var host = TestHost.Create(t =>
        {
            t.AddImmediateBackend("inline");
            t.AddTask<Add, int, AddHandler>("add");
            t.UseSerializer(serializer);
        });

        var result = await host.Queue.EnqueueAsync(new Add(3, 4));

        Assert.Equal(TaskResultStatus.Succeeded, result.Status);
        Assert.Equal("v1|{\"a\":3,\"b\":4}", result.Arguments);
        Assert.Equal("v1|7", result.ReturnValue);
        Assert.Same(serializer, result.Serializer);
        Assert.Equal(7, result.GetReturnValue<int>());
        Assert.Equal(new Add(3, 4), result.GetArguments<Add>());
        Assert.Contains(("serialize", typeof(Add)), serializer.Calls);
        Assert.Contains(("deserialize", typeof(Add)), serializer.Calls);
        Assert.Contains(("serialize", typeof(int)), serializer.Calls);
        Assert.Same(serializer, host.Services.GetRequiredService<ITaskSerializer>());
    }

    [Fact]
    public async Task A_background_worker_reads_arguments_and_writes_return_values_with_it()
    {
        var serializer = new PrefixedSerializer();
        await using var host = TestHost.Create(t =>
        {
            t.AddInMemoryBackend("mem");
            t.AddTask<Add, int, AddHandler>("add");
            t.UseSerializer(serializer);
        });
        await host.StartWorkerAsync();

        var result = await host.WaitAsync((await host.Queue.EnqueueAsync(new Add(40, 2))).Id);

        Assert.Equal(TaskResultStatus.Succeeded, result.Status);
        Assert.Equal("v1|42", result.ReturnValue);
        Assert.Equal(42, result.GetReturnValue<int>());
    }

    [Fact]
    public async Task The_round_trip_check_at_enqueue_uses_it_too()
    {
        var serializer = new PrefixedSerializer();
        await using var host = TestHost.Create(t =>
        {
            t.AddRecordingBackend("rec");
            t.AddTask<Work, WorkHandler>("work");
            t.UseSerializer(serializer);
        });

        await host.Queue.EnqueueAsync(new Work("x"));

        Assert.Equal([("serialize", typeof(Work)), ("deserialize", typeof(Work))], serializer.Calls);
        Assert.Equal("v1|{\"label\":\"x\"}", Assert.Single(host.Backend<RecordingTaskBackend>("rec").Enqueued).Arguments);
    }

    [Fact]
    public async Task A_serializer_that_throws_is_reported_as_TaskSerializationException()
    {
        await using var host = TestHost.Create(t =>
        {
            t.AddRecordingBackend("rec");
            t.AddTask<Work, WorkHandler>("work");
            t.UseSerializer(new BrokenSerializer());
        });

        var ex = await Assert.ThrowsAsync<TaskSerializationException>(() => host.Queue.EnqueueAsync(new Work("x")));

        Assert.IsType<NotSupportedException>(ex.InnerException);
        Assert.Empty(host.Backend<RecordingTaskBackend>("rec").Enqueued);
    }

    private sealed class BrokenSerializer : ITaskSerializer
    {
        public string Serialize(object? value, Type type) => throw new NotSupportedException("nope");

        public object? Deserialize(string payload, Type type) => throw new NotSupportedException("nope");
    }
}
