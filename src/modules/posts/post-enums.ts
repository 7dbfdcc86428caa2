/** Listing kinds and property kinds (the values of the database enums `PostType`, `PropertyType`). */
export const PostType = { Buy: 'BUY', Rent: 'RENT' } as const;
export type PostType = (typeof PostType)[keyof typeof PostType];
export const POST_TYPES = Object.values(PostType);

export const PropertyType = { Apartment: 'APARTMENT', House: 'HOUSE', Condo: 'CONDO', Land: 'LAND' } as const;
export type PropertyType = (typeof PropertyType)[keyof typeof PropertyType];
export const PROPERTY_TYPES = Object.values(PropertyType);

export const PostSort = { Newest: 'newest', PriceAsc: 'price_asc', PriceDesc: 'price_desc' } as const;
export type PostSort = (typeof PostSort)[keyof typeof PostSort];
export const POST_SORTS = Object.values(PostSort);
