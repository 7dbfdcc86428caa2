import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Length, Max, Min, validate, ValidateNested } from 'class-validator';

import { fieldErrors } from './validation';

class Detail {
  @IsInt()
  @Min(0)
  @Max(10)
  size!: number;
}

class Input {
  @IsString()
  @Length(3, 10)
  title!: string;

  @IsOptional()
  @IsInt()
  @Min(1)
  count?: number;

  @ValidateNested()
  @Type(() => Detail)
  detail!: Detail;
}

async function errorsOf(value: Record<string, unknown>) {
  const input = Object.assign(new Input(), value);
  if (value.detail) {
    input.detail = Object.assign(new Detail(), value.detail);
  }
  return fieldErrors(await validate(input, { validationError: { target: false, value: true } }));
}

describe(fieldErrors.name, () => {
  it('says that an absent field is required, once', async () => {
    expect(await errorsOf({ detail: { size: 1 } })).toEqual([
      { field: 'title', message: 'title is required' },
    ]);
  });

  it('gives one message per field, the kind of value first', async () => {
    expect(await errorsOf({ title: 42, count: 'x', detail: { size: 1 } })).toEqual([
      { field: 'title', message: 'title must be a string' },
      { field: 'count', message: 'count must be an integer number' },
    ]);
  });

  it('names a bound when the kind is right', async () => {
    expect(await errorsOf({ title: 'ab', count: 0, detail: { size: 11 } })).toEqual([
      { field: 'title', message: 'title must be longer than or equal to 3 characters' },
      { field: 'count', message: 'count must not be less than 1' },
      { field: 'detail.size', message: 'size must not be greater than 10' },
    ]);
  });
});
