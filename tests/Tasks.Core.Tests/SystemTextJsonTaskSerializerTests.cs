using System.Text.Json;
using Tasks.Core.Tests.Support;

namespace Tasks.Core.Tests;

/// <summary><see cref="SystemTextJsonTaskSerializer"/>: the default serializer of arguments and return values.</summary>
public sealed class SystemTextJsonTaskSerializerTests
{
    public enum Colour
    {
        Red,
        Green,
    }

    public sealed record Address(string Street, string City);

    public sealed record Customer(
        string Name,
        Address Home,
        List<string> Tags,
        Dictionary<string, int> Scores,
        DateTimeOffset Since,
        DateTime BornUtc,
        decimal Balance,
        Colour Favourite,
        int? Missing,
        Address? Work,
        Guid Id,
        TimeSpan Patience,
        int[] Numbers);

    private static readonly SystemTextJsonTaskSerializer Serializer = SystemTextJsonTaskSerializer.Default;

    private static T RoundTrip<T>(T value) => (T)Serializer.Deserialize(Serializer.Serialize(value, typeof(T)), typeof(T))!;

    [Fact]
    public void Round_trips_records_with_nested_values_collections_and_nulls()
    {
        var customer = new Customer(
            "Zoë 日本語 ✓ 🚀 \"quoted\" \\ back\nline",
            new Address("1 Main St", "Zürich"),
            ["a", "b", ""],
            new Dictionary<string, int> { ["x"] = 1, ["ü"] = -2 },
            new DateTimeOffset(2031, 2, 3, 4, 5, 6, 789, TimeSpan.FromMinutes(330)),
            new DateTime(1990, 1, 1, 0, 0, 0, DateTimeKind.Utc),
            12345.6789m,
            Colour.Green,
            null,
            null,
            Guid.NewGuid(),
            TimeSpan.FromMinutes(90),
            [1, -2, int.MaxValue]);

        var back = RoundTrip(customer);

        Assert.Equal(customer.Name, back.Name);
        Assert.Equal(customer.Home, back.Home);
        Assert.Equal(customer.Tags, back.Tags);
        Assert.Equal(customer.Scores, back.Scores);
        Assert.Equal(customer.Since, back.Since);
        Assert.Equal(TimeSpan.FromMinutes(330), back.Since.Offset); // the offset itself survives, not just the instant
        Assert.Equal(customer.BornUtc, back.BornUtc);
        Assert.Equal(DateTimeKind.Utc, back.BornUtc.Kind);
        Assert.Equal(customer.Balance, back.Balance);
        Assert.Equal(customer.Favourite, back.Favourite);
        Assert.Null(back.Missing);
        Assert.Null(back.Work);
        Assert.Equal(customer.Id, back.Id);
        Assert.Equal(customer.Patience, back.Patience);
        Assert.Equal(customer.Numbers, back.Numbers);
    }

    [Fact]
    public void Null_round_trips_as_JSON_null()
    {
        Assert.Equal("null", Serializer.Serialize(null, typeof(Work)));
        Assert.Null(Serializer.Deserialize("null", typeof(Work)));
        Assert.Null(RoundTrip<string?>(null));
    }

    [Fact]
    public void Primitives_and_collections_round_trip()
    {
        Assert.Equal(42, RoundTrip(42));
        Assert.Equal("ü🚀", RoundTrip("ü🚀"));
        Assert.Equal([1.5, -0.25], RoundTrip(new List<double> { 1.5, -0.25 }));
        Assert.Equal(new Dictionary<string, Work> { ["k"] = new("v") }, RoundTrip(new Dictionary<string, Work> { ["k"] = new("v") }));
    }

    [Fact]
    public void Uses_web_naming_and_numbers_as_numbers()
    {
        Assert.Equal("""{"a":1,"b":2}""", Serializer.Serialize(new Add(1, 2), typeof(Add)));
        Assert.Equal(new Work("x"), Serializer.Deserialize("""{"Label":"x"}""", typeof(Work))); // reading is case-insensitive
        Assert.Throws<JsonException>(() => Serializer.Deserialize("""{"a":"1","b":2}""", typeof(Add))); // numbers are never strings
    }

    [Fact]
    public void Serializes_as_the_declared_type_without_type_names()
    {
        var json = Serializer.Serialize(new Work("x"), typeof(Work));

        Assert.DoesNotContain("$type", json);
        Assert.DoesNotContain("Tasks.Core.Tests", json);
    }

    [Fact]
    public void Custom_options_are_used()
    {
        var serializer = new SystemTextJsonTaskSerializer(new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower });

        Assert.Equal("""{"a":1,"b":2}""", serializer.Serialize(new Add(1, 2), typeof(Add)));
        Assert.Equal("""{"label":"x"}""", serializer.Serialize(new Work("x"), typeof(Work)));
        Assert.Equal(JsonNamingPolicy.SnakeCaseLower, serializer.Options.PropertyNamingPolicy);
    }

    [Fact]
    public void Cycles_and_unreadable_types_throw()
    {
        var node = new Node { Name = "n" };
        node.Next = node;

        Assert.Throws<JsonException>(() => Serializer.Serialize(node, typeof(Node)));
        var json = Serializer.Serialize(new HasInterface { Shape = new Square { Side = 3 } }, typeof(HasInterface));
        Assert.Contains("\"area\":9", json);
        Assert.ThrowsAny<Exception>(() => Serializer.Deserialize(json, typeof(HasInterface)));
    }
}
