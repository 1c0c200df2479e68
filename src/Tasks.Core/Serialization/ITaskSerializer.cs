namespace Tasks;

/// <summary>Turns task arguments and return values into text and back. Swap it with <c>TasksBuilder.UseSerializer</c>.</summary>
public interface ITaskSerializer
{
    /// <summary>Serializes <paramref name="value"/> as <paramref name="type"/>.</summary>
    string Serialize(object? value, Type type);

    /// <summary>Reads a value of <paramref name="type"/> from <paramref name="payload"/>.</summary>
    object? Deserialize(string payload, Type type);
}
