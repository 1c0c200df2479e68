using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace Tasks;

/// <summary>
/// Reads plain values from configuration sections. Tasks.Core depends only on the abstractions, so this stands in for
/// the binder for the few settings the core reads; adapters may use the full binder.
/// </summary>
public static class ConfigurationValues
{
    /// <summary>A string, or <paramref name="fallback"/>.</summary>
    public static string? GetString(IConfiguration section, string key, string? fallback = null) =>
        string.IsNullOrWhiteSpace(section[key]) ? fallback : section[key];

    /// <summary>An integer, or <paramref name="fallback"/>.</summary>
    /// <exception cref="TaskConfigurationException">The value is not an integer.</exception>
    public static int GetInt32(IConfiguration section, string key, int fallback) =>
        Parse(section, key, fallback, s => int.Parse(s, NumberStyles.Integer, CultureInfo.InvariantCulture), "an integer");

    /// <summary>A boolean, or <paramref name="fallback"/>.</summary>
    public static bool GetBoolean(IConfiguration section, string key, bool fallback) =>
        Parse(section, key, fallback, bool.Parse, "true or false");

    /// <summary>A time span (<c>hh:mm:ss</c> or <c>d.hh:mm:ss</c>), or <paramref name="fallback"/>.</summary>
    public static TimeSpan GetTimeSpan(IConfiguration section, string key, TimeSpan fallback) =>
        Parse(section, key, fallback, s => TimeSpan.Parse(s, CultureInfo.InvariantCulture), "a time span like 00:00:30");

    /// <summary>A list given as an array (<c>key:0</c>, <c>key:1</c>) or as one comma-separated value.</summary>
    public static IList<string> GetList(IConfiguration section, string key)
    {
        var child = section.GetSection(key);
        if (!string.IsNullOrWhiteSpace(child.Value))
        {
            return child.Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToList();
        }

        return child.GetChildren().Select(c => c.Value).Where(v => !string.IsNullOrWhiteSpace(v)).Select(v => v!.Trim()).ToList();
    }

    private static T Parse<T>(IConfiguration section, string key, T fallback, Func<string, T> parse, string expected)
    {
        var raw = section[key];
        if (string.IsNullOrWhiteSpace(raw))
        {
            return fallback;
        }

        try
        {
            return parse(raw);
        }
        catch (Exception ex) when (ex is FormatException or OverflowException)
        {
            var path = section is IConfigurationSection s ? $"{s.Path}:{key}" : key;
            throw new TaskConfigurationException($"Configuration value '{path}' = '{raw}' is not {expected}.", ex);
        }
    }
}
