using Microsoft.Extensions.Configuration;

namespace Tasks.Core.Tests;

/// <summary><see cref="ConfigurationValues"/>: the small reader of plain settings.</summary>
public sealed class ConfigurationValuesTests
{
    private static IConfigurationSection Section(params (string Key, string? Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>("S:" + v.Key, v.Value))).Build().GetSection("S");

    [Fact]
    public void Lists_can_be_arrays_or_comma_separated_and_are_trimmed()
    {
        var section = Section(("Array:0", " a "), ("Array:1", "b"), ("Array:2", " "), ("Comma", "x, y,,z "));

        Assert.Equal(["a", "b"], ConfigurationValues.GetList(section, "Array"));
        Assert.Equal(["x", "y", "z"], ConfigurationValues.GetList(section, "Comma"));
        Assert.Empty(ConfigurationValues.GetList(section, "Missing"));
    }

    [Fact]
    public void Missing_or_blank_values_fall_back()
    {
        var section = Section(("Blank", " "));

        Assert.Equal("fb", ConfigurationValues.GetString(section, "Blank", "fb"));
        Assert.Null(ConfigurationValues.GetString(section, "Missing"));
        Assert.Equal(7, ConfigurationValues.GetInt32(section, "Missing", 7));
        Assert.True(ConfigurationValues.GetBoolean(section, "Blank", true));
        Assert.Equal(TimeSpan.FromSeconds(3), ConfigurationValues.GetTimeSpan(section, "Missing", TimeSpan.FromSeconds(3)));
    }

    [Fact]
    public void Values_are_parsed_invariantly()
    {
        var section = Section(("Int", "-12"), ("Bool", "True"), ("Span", "1.02:03:04.5"), ("Str", "hello"));

        Assert.Equal(-12, ConfigurationValues.GetInt32(section, "Int", 0));
        Assert.True(ConfigurationValues.GetBoolean(section, "Bool", false));
        Assert.Equal(new TimeSpan(1, 2, 3, 4, 500), ConfigurationValues.GetTimeSpan(section, "Span", TimeSpan.Zero));
        Assert.Equal("hello", ConfigurationValues.GetString(section, "Str"));
    }

    [Theory]
    [InlineData("Int", "1.5", "an integer")]
    [InlineData("Int", "99999999999", "an integer")]
    [InlineData("Bool", "yes", "true or false")]
    [InlineData("Span", "soon", "a time span like 00:00:30")]
    public void Malformed_values_are_a_configuration_error_naming_path_value_and_expectation(string key, string raw, string expected)
    {
        var section = Section((key, raw));

        var ex = Assert.Throws<TaskConfigurationException>(() =>
        {
            _ = key switch
            {
                "Int" => (object)ConfigurationValues.GetInt32(section, key, 0),
                "Bool" => ConfigurationValues.GetBoolean(section, key, false),
                _ => ConfigurationValues.GetTimeSpan(section, key, TimeSpan.Zero),
            };
        });

        Assert.Equal($"Configuration value 'S:{key}' = '{raw}' is not {expected}.", ex.Message);
        Assert.NotNull(ex.InnerException);
    }
}
